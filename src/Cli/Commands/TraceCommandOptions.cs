namespace LeakScope.Cli.Commands;

/// <summary>What <c>leakscope trace</c> was asked to do, parsed and validated.</summary>
internal sealed record TraceCommandOptions(
    int? ProcessId,
    IReadOnlyList<string> Command,
    TimeSpan? Duration,
    ReportFormat Format,
    string? Output,
    string? NetTrace,
    int BufferSizeMB)
{
    /// <summary>One event per operation instead of the high-rate batches.</summary>
    public bool PerOperation { get; init; }
}
