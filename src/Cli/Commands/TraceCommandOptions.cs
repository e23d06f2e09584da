using LeakScope.Cli.Output;

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
}
