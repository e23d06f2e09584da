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

    /// <summary>The runtime's provider, for method and module loads.</summary>
    public const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    /// <summary>Loader (0x8), Jit (0x10), JittedMethodILToNativeMap (0x20000): method and module loads with IL-to-native maps.</summary>
    public const long RuntimeMethodKeywords = 0x8 | 0x10 | 0x20000;

    /// <summary>
    /// The second session, for stacks: it walks a stack for each of its events, so it enables only what needs one — the
    /// allocator's <c>StackSample</c> events (written on the allocating thread, chosen by <see cref="TraceOptions.Stacks"/>) and
    /// misuse — plus the runtime's method and module loads, and asks for the runtime's rundown so code compiled before
    /// the session resolves too. Its provider argument <c>StackSession=1</c> tells the allocator not to run down blocks again.
    /// </summary>
    public static EventPipeSessionConfiguration CreateStacks(TraceOptions options)
    {
        var arguments = new Dictionary<string, string>
        {
            [WireSchema.StacksArgument] = options.Stacks == StackCollection.All ? "all" : "sampled",
            [WireSchema.StackSampleBytesArgument] = options.StackSampleBytes.ToString(CultureInfo.InvariantCulture),
            [WireSchema.StackSessionArgument] = "1",
        };
        EventPipeProvider[] providers =
        [
            new(AllocatorSchema.ProviderName, EventLevel.Verbose, WireSchema.Keywords.Stacks | WireSchema.Keywords.Misuse, arguments),
            new(RuntimeProvider, EventLevel.Verbose, RuntimeMethodKeywords),
        ];
        return new EventPipeSessionConfiguration(providers, options.BufferSizeMB, requestRundown: true, requestStackwalk: true);
    }

    /// <summary>
    /// A session that exists only to be stopped at once: the runtime answers a stop with its rundown (every method compiled
    /// so far, its IL-to-native map, every loaded module), which an attached tracer otherwise gets only when the stack
    /// session ends. Only the runtime's loader keyword at informational level, no stack walks: it costs the target one
    /// rundown (<see cref="StackSession.DescribeCompiledCode"/>).
    /// </summary>
    public static EventPipeSessionConfiguration CompiledCode() =>
        new([new EventPipeProvider(RuntimeProvider, EventLevel.Informational, 0x8)], circularBufferSizeMB: 16, requestRundown: true, requestStackwalk: false);
}
