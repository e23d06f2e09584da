using LeakScope.Cli.Output;

namespace LeakScope.Cli.Commands;

/// <summary>What <c>leakscope trace</c> was asked to do, parsed and validated.</summary>
internal sealed record TraceCommandOptions(
    TraceTarget Target,
    TimeSpan? Duration,
    string? NetTrace,
    int BufferSizeMB,
    ReportRequest Report);
