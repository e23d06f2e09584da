using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Cli.Output;

/// <summary>What to write and how to judge it, parsed and validated from the report options.</summary>
internal sealed record ReportRequest(IReadOnlyList<ReportDestination> Destinations, GatePolicy Gate, ReportContext Context, bool Quiet);
