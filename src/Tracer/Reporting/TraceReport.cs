using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// The report model every format renders: the judged outcome with the target and the session's numbers.
/// <see cref="SchemaVersion"/> versions the JSON shape of DESIGN.md.
/// </summary>
public sealed record TraceReport(AnalysisResult Analysis, TargetInfo Target, SessionStatistics? Session)
{
    public const int SchemaVersion = 1;

    public bool Complete => Analysis.Completeness.Complete;

    public long EventsLost => Analysis.Completeness.EventsLost;

    public IReadOnlyList<Finding> Findings => Analysis.Findings;

    public static TraceReport From(TraceOutcome outcome) => new(outcome.Analysis, outcome.Target, outcome.Session);
}
