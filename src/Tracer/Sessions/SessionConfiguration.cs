using System.Diagnostics.Tracing;
using System.Globalization;
using LeakScope.Tracer.Decoding;
using LeakScope.Wire;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The EventPipe session LeakScope asks for: its own provider only, no stacks, no runtime rundown. By default
/// the high-rate mode (<see cref="AllocatorSchema.BatchedKeywords"/>); with <see cref="TraceOptions.PerOperation"/>
/// one self-describing event per operation, as dotnet-trace and PerfView record them. Either way the provider
/// argument <c>ExitFile</c> names the file the allocator writes its last records and final heartbeat to.
/// </summary>
internal static class SessionConfiguration
{
    public static EventPipeSessionConfiguration Create(TraceOptions options, string? exitFilePath, string? snapshotSocketPath = null)
    {
        long keywords = options.PerOperation ? AllocatorSchema.PerOperationKeywords : AllocatorSchema.BatchedKeywords;
        Dictionary<string, string>? arguments = exitFilePath is null
            ? null
            : new Dictionary<string, string> { [AllocatorSchema.ExitFileArgument] = exitFilePath };
        if (snapshotSocketPath is not null)
        {
            // The allocator holds its exit on this socket until the tracer has its heap snapshot (docs/reachability.md).
            arguments ??= new Dictionary<string, string>();
            arguments[WireSchema.SnapshotSocketArgument] = snapshotSocketPath;
            arguments[WireSchema.SnapshotTimeoutArgument] = ((long)options.SnapshotTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var provider = new EventPipeProvider(AllocatorSchema.ProviderName, EventLevel.Verbose, keywords, arguments);

        // The four-argument overload: the short ones turn stack walks on (≈ +900 ns per event).
        return new EventPipeSessionConfiguration([provider], options.BufferSizeMB, requestRundown: false, requestStackwalk: false);
    }

    /// <summary>
    /// The short second session of a detach (<see cref="DetachCut"/>): only the heartbeat's keyword, so it changes nothing
    /// the main session asked for, and the argument <c>Flush=&lt;token&gt;</c> that the target answers on every session.
    /// </summary>
    public static EventPipeSessionConfiguration Flush(long token)
    {
        var arguments = new Dictionary<string, string> { [WireSchema.FlushArgument] = token.ToString(CultureInfo.InvariantCulture) };
        var provider = new EventPipeProvider(WireSchema.ProviderName, EventLevel.Informational, WireSchema.Keywords.Diagnostics, arguments);
        return new EventPipeSessionConfiguration([provider], circularBufferSizeMB: 1, requestRundown: false, requestStackwalk: false);
    }
}
