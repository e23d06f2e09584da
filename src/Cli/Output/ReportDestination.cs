using LeakScope.Tracer.Reporting;

namespace LeakScope.Cli.Output;

/// <summary>One report to write: its format, and its file (null: standard output).</summary>
internal sealed record ReportDestination(ReportFormat Format, string? Path)
{
    public override string ToString() => $"{ReportWriters.Name(Format)} → {Path ?? "standard output"}";
}
