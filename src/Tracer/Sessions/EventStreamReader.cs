using System.Diagnostics;
using System.Reflection;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Stacks;
using Microsoft.Diagnostics.Tracing;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The one path every source takes: an EventPipe stream (a live session's or a <c>.nettrace</c> file's,
/// which are the same format) → TraceEvent → <see cref="TraceEventAdapter"/> → <see cref="RecordDecoder"/>
/// → <see cref="AnalysisEngine"/>. Reads on the calling thread until the stream ends; then the target's exit
/// file, if it wrote one, goes through the same decoder into the same engine.
/// </summary>
internal sealed class EventStreamReader
{
    /// <summary>With a monitor, a snapshot is also published every this many events (heartbeats publish too).</summary>
    private const long SnapshotEveryEvents = 1 << 16;

    private readonly AnalysisEngine _engine;
    private readonly RecordDecoder _decoder;
    private readonly TraceMonitor? _monitor;
    private readonly List<double> _heartbeatSeconds = new();
    private readonly List<StackCollector> _stackSources = new();
    private readonly StackCollector _stacks = new();
    private bool _stacksFed;
    private long _eventsSeen;
    private TraceEventAdapter? _adapter;
    private DetachCut? _detachCut;
    private readonly TaskCompletionSource _rundownComplete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EventStreamReader(AnalysisOptions options, TraceMonitor? monitor = null)
    {
        _engine = new AnalysisEngine(options);
        _decoder = new RecordDecoder(_engine);
        _monitor = monitor;
    }

    /// <summary>Completes when the allocator's rundown has been read to its end (every block live at the session's start is known).</summary>
    public Task RundownComplete => _rundownComplete.Task;

    /// <summary>When each heartbeat the engine received was read, in seconds of the stream's own clock (by heartbeat index).</summary>
    public IReadOnlyList<double> HeartbeatSeconds => _heartbeatSeconds;

    public AnalysisEngine Engine => _engine;

    public DecoderStatistics Decoder => _decoder.Statistics;

    public long EventsRead { get; private set; }

    public long EventsLost { get; private set; }

    public string? CommandLine { get; private set; }

    public int ProcessId { get; private set; }

    public TimeSpan ReadTime { get; private set; }

    /// <summary>True when the stream ended in the middle of a block (the target died, or the connection was cut).</summary>
    public bool StreamBroken { get; private set; }

    /// <summary>What became of the exit file (set by <see cref="ReadExitFile"/> or <see cref="ExitFileWithdrawn"/>).</summary>
    public ExitFileStatus ExitFile { get; private set; }

    /// <summary>Take stacks from the stream itself (a dotnet-trace recording walks every event's stack). False: drop them (<c>--stacks none</c>).</summary>
    public bool CollectStacks { get; init; } = true;

    /// <summary>Every source of stacks: this stream's own and any added (the live stack session, a recording's stack file).</summary>
    public IReadOnlyList<StackCollector> StackSources => [_stacks, .. _stackSources];

    /// <summary>What the stack sources gave, once judged (null when no source carried a stack).</summary>
    public StackStatistics? StackStatistics { get; private set; }

    /// <summary>Adds the stacks of another stream of the same target (the stack-walking session, or its recording).</summary>
    public void AddStacks(StackCollector collector) => _stackSources.Add(collector);

    /// <summary>The session asked for the high-rate mode (a recorded file says so by carrying batches).</summary>
    public bool RequestedBatches { get; init; }

    /// <summary>The session began before the target ran any managed code (<see cref="StreamSummary.FromProcessStart"/>).</summary>
    public bool FromProcessStart { get; init; }

    /// <summary>A detach in progress: once the target's confirming heartbeat is read, the account ends there (set from another thread).</summary>
    public DetachCut? DetachCut
    {
        get => Volatile.Read(ref _detachCut);
        set => Volatile.Write(ref _detachCut, value);
    }

    /// <summary>How the detach went, for the judgement (null when the session did not detach).</summary>
    public DetachStatus? Detach { get; set; }

    /// <summary>The allocator's events read after a detach cut: counted, not part of the account.</summary>
    public long EventsAfterCut { get; private set; }

    /// <summary>Feeds the target's exit file — its last batch records and final heartbeat — after the stream.</summary>
    public void ReadExitFile(ReadOnlySpan<byte> content)
    {
        ExitFile = ExitFileReader.Read(content, _decoder);

        // The exit file can hold much of a high-rate trace's tail: the last snapshot must include it.
        _monitor?.Publish(new LiveSnapshot(EventsRead, EventsLost, _heartbeatSeconds.Count > 0 ? _heartbeatSeconds[^1] : 0, _engine.Snapshot(_monitor.TopSites)));
    }

    /// <summary>The tracer detached and removed the exit file before the target exited.</summary>
    public void ExitFileWithdrawn() => ExitFile = ExitFileStatus.Withdrawn;

    /// <summary>Reads <paramref name="stream"/> to its end. <paramref name="live"/>: a stream cut short is the end of a dying target, not a corrupt trace.</summary>
    public void Read(Stream stream, bool live)
    {
        var clock = Stopwatch.StartNew();
        EventPipeEventSource source;
        try
        {
            source = new EventPipeEventSource(stream);
        }
        catch (Exception e) when (IsStreamFailure(e))
        {
            if (live)
            {
                StreamBroken = true;
                return;
            }

            throw new TraceUnreadableException($"not a readable EventPipe trace: {e.Message}", e);
        }

        using (source)
        {
            var adapter = _adapter = new TraceEventAdapter(source, _decoder);
            if (CollectStacks)
            {
                _ = new StackEventAdapter(source, _stacks);
            }

            source.AllEvents += data => AfterEvent(data, source);
            try
            {
                source.Process();
            }
            catch (UnsupportedSchemaVersionException)
            {
                throw;
            }
            catch (Exception e) when (IsStreamFailure(e))
            {
                // Only a failure to read or parse the stream is a broken stream. Anything the decoder or the engine
                // throws is an internal error: it propagates with its message and stack instead of passing for a cut.
                if (!live)
                {
                    throw new TraceUnreadableException($"the trace is corrupt or truncated after {adapter.Events} events: {e.Message}", e);
                }

                StreamBroken = true;
            }
            finally
            {
                EventsRead = adapter.Events;
                EventsAfterCut = adapter.EventsAfterCut;
                EventsLost = source.EventsLost;
                CommandLine = adapter.CommandLine;
                ProcessId = adapter.ProcessId;
                ReadTime = clock.Elapsed;
                _monitor?.Publish(new LiveSnapshot(EventsRead, EventsLost, _heartbeatSeconds.Count > 0 ? _heartbeatSeconds[^1] : 0, _engine.Snapshot(_monitor.TopSites)));
            }
        }
    }

    /// <summary>
    /// True when <paramref name="e"/> is the stream's fault, not ours: thrown while TraceEvent parsed the stream, or
    /// while a stream read (the connection, the file, or the recording copy). Decided by where it was thrown: the
    /// innermost frame of TraceEvent or of this assembly, skipping the runtime's own frames (a collection's throw
    /// helper inside the engine is still the engine's). I/O exceptions always are.
    /// </summary>
    internal static bool IsStreamFailure(Exception e)
    {
        if (e is OutOfMemoryException)
        {
            return false;
        }

        if (e is IOException or ObjectDisposedException)
        {
            return true;
        }

        Assembly ours = typeof(EventStreamReader).Assembly;
        Assembly parser = typeof(EventPipeEventSource).Assembly;
        foreach (StackFrame frame in new StackTrace(e, fNeedFileInfo: false).GetFrames())
        {
            Type? type = frame.GetMethod()?.DeclaringType;
            if (type?.Assembly == parser)
            {
                return true;
            }

            if (type?.Assembly == ours)
            {
                return typeof(Stream).IsAssignableFrom(type);
            }
        }

        return false;
    }

    /// <summary>Runs after the adapter decoded an event: notes when heartbeats arrived and feeds the monitor.</summary>
    private void AfterEvent(TraceEvent data, EventPipeEventSource source)
    {
        _eventsSeen++;
        if (!_rundownComplete.Task.IsCompleted && _engine.RundownComplete)
        {
            _rundownComplete.TrySetResult();
        }
        if (DetachCut is { } cut && _adapter is { Cut: false } adapter && _engine.DetachConfirmed(cut.Token, out long confirmedAt))
        {
            adapter.Cut = true;
            cut.Reached(confirmedAt);
        }

        bool heartbeat = false;
        while (_heartbeatSeconds.Count < _engine.HeartbeatCount)
        {
            _heartbeatSeconds.Add(data.TimeStampRelativeMSec / 1000);
            heartbeat = true;
        }

        if (_monitor is not null && (heartbeat || _eventsSeen % SnapshotEveryEvents == 0))
        {
            _monitor.Publish(new LiveSnapshot(_eventsSeen, source.EventsLost, data.TimeStampRelativeMSec / 1000, _engine.Snapshot(_monitor.TopSites)));
        }
    }

    public AnalysisResult Judge(StreamEnd end)
    {
        if (!_stacksFed)
        {
            // Stacks resolve once every stream has ended: the runtime's rundown of methods comes last.
            _stacksFed = true;
            foreach (StackCollector collector in StackSources)
            {
                collector.FeedTo(_engine);
            }

            IReadOnlyList<StackCollector> sources = StackSources;
            if (sources.Any(c => c.Samples + c.Misuses > 0 || c.Code.Methods > 0))
            {
                StackStatistics = new StackStatistics(
                    sources.Sum(c => c.Samples), sources.Sum(c => c.Misuses), sources.Sum(c => c.Unstacked), sources.Sum(c => c.Code.Methods),
                    sources.Sum(c => c.UnknownFrames), sources.Sum(c => c.EventsLost), sources.Any(c => c.Broken));
            }
        }

        DecoderStatistics decoded = _decoder.Statistics;
        decoded.MissingBatches = _decoder.MissingBatches;
        return _engine.Finish(new StreamSummary(end, EventsLost, decoded.Undecodable, CleanEnd: !StreamBroken)
        {
            Batched = RequestedBatches || decoded.Batches > 0 || decoded.MalformedBatches > 0,
            ExitFile = ExitFile,
            FromProcessStart = FromProcessStart,
            MissingBatches = decoded.MissingBatches,
            Detach = end is StreamEnd.Duration or StreamEnd.Cancelled ? Detach : null,
        });
    }
}
