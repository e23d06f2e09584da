using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Sessions;

/// <summary>Everything a front end needs to write reports: the judgement, the target, and the session's own numbers.</summary>
public sealed record TraceOutcome(AnalysisResult Analysis, TargetInfo Target, SessionStatistics Session);
