using Microsoft.Diagnostics.Tracing;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// The only place that sees TraceEvent: takes every event a <see cref="TraceEventDispatcher"/> reads,
/// keeps the <c>LeakScope-Allocator</c> ones (by provider, because EventPipe injects its own events with
/// the same small ids) and hands their id, version and raw payload to the <see cref="RecordDecoder"/>.
/// It also notes the target's command line from EventPipe's ProcessInfo event.
/// </summary>
internal sealed class TraceEventAdapter
{
    /// <summary>Microsoft-DotNETCore-EventPipe, which writes ProcessInfo. Without parsers TraceEvent gives only the GUID of a provider.</summary>
    private static readonly Guid EventPipeProvider = new("92f528a6-f5b8-5160-a7ee-b33da7739e29");
    private const int ProcessInfoEventId = 1;

    private readonly RecordDecoder _decoder;

    public TraceEventAdapter(TraceEventDispatcher source, RecordDecoder decoder)
    {
        _decoder = decoder;
        source.AllEvents += OnEvent;
    }

    /// <summary>Every event read, of any provider.</summary>
    public long Events { get; private set; }

    /// <summary>The target's command line, when EventPipe's ProcessInfo event was seen.</summary>
    public string? CommandLine { get; private set; }

    /// <summary>Set at a detach cut: the allocator's later events are counted in <see cref="EventsAfterCut"/> and not decoded.</summary>
    public bool Cut { get; set; }

    /// <summary>The allocator's events read after the cut (not part of the account).</summary>
    public long EventsAfterCut { get; private set; }

    /// <summary>The process that wrote the allocator's events (0 until one is seen).</summary>
    public int ProcessId { get; private set; }

    private unsafe void OnEvent(TraceEvent data)
    {
        Events++;
        if (data.ProviderGuid == AllocatorSchema.ProviderGuid
            || string.Equals(data.ProviderName, AllocatorSchema.ProviderName, StringComparison.Ordinal))
        {
            if (ProcessId == 0)
            {
                ProcessId = data.ProcessID;
            }

            if (Cut)
            {
                EventsAfterCut++;
                return;
            }

            var payload = new ReadOnlySpan<byte>((void*)data.DataStart, data.EventDataLength);
            _decoder.Decode((int)data.ID, data.Version, payload);
            return;
        }

        _decoder.Statistics.OtherProviders++;
        if ((int)data.ID == ProcessInfoEventId && CommandLine is null
            && data.ProviderGuid == EventPipeProvider)
        {
            var reader = new PayloadReader(new ReadOnlySpan<byte>((void*)data.DataStart, data.EventDataLength));
            string commandLine = reader.Utf16String();
            CommandLine = reader.Failed ? null : commandLine;
        }
    }
}
