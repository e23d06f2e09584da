using LeakScope.Cli.Output;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Commands;

/// <summary>What <c>leakscope trace</c> was asked to do, parsed and validated.</summary>
internal sealed record TraceCommandOptions(
    TraceTarget Target,
    TimeSpan? Duration,
    string? NetTrace,
    int BufferSizeMB,
    ReportRequest Report)
{
    /// <summary>One event per operation instead of the high-rate batches.</summary>
    public bool PerOperation { get; init; }

    /// <summary>Which allocations carry their call stack (<c>--stacks</c>).</summary>
    public StackCollection Stacks { get; init; } = StackCollection.Sampled;

    /// <summary>The sampled mode's mean interval (<c>--stack-sample-bytes</c>).</summary>
    public long StackSampleBytes { get; init; } = TraceOptions.DefaultStackSampleBytes;

    /// <summary>Judge the live blocks by a heap snapshot at the end (docs/reachability.md).</summary>
    public bool Reachability { get; init; }

    /// <summary>Keep the snapshot's heap dump here (an absolute path), or null to delete it.</summary>
    public string? KeepDump { get; init; }
}
