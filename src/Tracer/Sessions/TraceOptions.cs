using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Sessions;

/// <summary>How to run a live trace.</summary>
public sealed record TraceOptions
{
    /// <summary>The defaults: until the target exits or the trace is cancelled, in the high-rate mode, with a 256 MB buffer, no <c>.nettrace</c> copy and no monitor.</summary>
    public static readonly TraceOptions Default = new();

    /// <summary>Detach after this long (the target keeps running; launched targets are stopped). Null: until the target exits or cancellation.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>EventPipe's buffer in the target, in MB (the default is chosen from measurements: bench/README.md).</summary>
    public int BufferSizeMB { get; init; } = DefaultBufferSizeMB;

    /// <summary>The default <see cref="BufferSizeMB"/>.</summary>
    public const int DefaultBufferSizeMB = 256;

    /// <summary>
    /// Ask for one self-describing event per operation instead of the high-rate batches (≈ 47× slower targets;
    /// what dotnet-trace and PerfView users record).
    /// </summary>
    public bool PerOperation { get; init; }

    /// <summary>The longest wait, after the target's stream ended, for its exit file to be complete.</summary>
    public TimeSpan ExitFileTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Also keep the raw event stream in this <c>.nettrace</c> file, readable by <c>leakscope analyze</c>, PerfView and TraceEvent.</summary>
    public string? NetTracePath { get; init; }

    /// <summary>The longest wait for the stream to end after the session was told to stop.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Take a heap snapshot at the end of the trace and judge every block still live by who holds it
    /// (docs/reachability.md): leaks get their <see cref="LeakReachability"/>, reachable blocks become
    /// <see cref="FindingKind.Retained"/> findings with their holder paths. A launched target holds its exit (bounded by
    /// <see cref="SnapshotTimeout"/>) until the snapshot is taken.
    /// </summary>
    public bool Reachability { get; init; }

    /// <summary>Keep the snapshot's heap dump here instead of deleting it.</summary>
    public string? KeepDumpPath { get; init; }

    /// <summary>The longest the target holds, and the tracer waits, for the reachability snapshot.</summary>
    public TimeSpan SnapshotTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The longest wait, when detaching from a running target, for it to confirm that it flushed its buffered records
    /// (docs/reliability.md). Without the confirmation the account is incomplete.
    /// </summary>
    public TimeSpan DetachFlushTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How the engine judges the trace.</summary>
    public AnalysisOptions Analysis { get; init; } = AnalysisOptions.Default;

    /// <summary>
    /// Which allocations carry their call stack. Anything but <see cref="StackCollection.None"/> starts a second,
    /// stack-walking session beside the main one (docs/stacks.md); the main session stays stack-free.
    /// </summary>
    public StackCollection Stacks { get; init; } = StackCollection.None;

    /// <summary>The sampled mode's mean interval in bytes between samples (<c>--stack-sample-bytes</c>).</summary>
    public long StackSampleBytes { get; init; } = DefaultStackSampleBytes;

    /// <summary>The default <see cref="StackSampleBytes"/> (chosen from measurements: bench/README.md).</summary>
    public const long DefaultStackSampleBytes = 256 * 1024;

    /// <summary>Receives periodic snapshots while the trace runs (a live view); null: none are taken.</summary>
    public TraceMonitor? Monitor { get; init; }
}
