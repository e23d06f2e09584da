namespace LeakScope.Cli.Commands;

/// <summary>What <c>leakscope trace</c> was asked to do, parsed and validated.</summary>
internal sealed record TraceCommandOptions(
    int? ProcessId,
    IReadOnlyList<string> Command,
    TimeSpan? Duration,
    ReportFormat Format,
    string? Output,
    string? NetTrace,
    int BufferSizeMB);
