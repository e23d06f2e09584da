using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// The report model every format renders: the judged outcome with the target, the session's numbers, the gate's
/// verdict (suppressions applied) and the live bytes per family over time. <see cref="SchemaVersion"/> versions the
/// JSON shape documented in docs/json-report.md.
/// </summary>
public sealed record TraceReport(AnalysisResult Analysis, TargetInfo Target, SessionStatistics? Session)
{
    public const int SchemaVersion = 1;

    /// <summary>At most this many points of <see cref="LiveSeries"/> are kept (evenly spaced, the last always).</summary>
    public const int MaxSeriesPoints = 1000;

    private GateResult? _gate;
    private IReadOnlyList<LivePoint>? _series;

    public bool Complete => Analysis.Completeness.Complete;

    public long EventsLost => Analysis.Completeness.EventsLost;

    /// <summary>The gate's verdict; without an explicit policy, the default (fail on any finding, no suppressions).</summary>
    public GateResult Gate
    {
        get => _gate ??= GatePolicy.Default.Evaluate(Analysis, Target);
        init => _gate = value;
    }

    /// <summary>The findings that remain after suppressions, in the engine's order (kind, then largest first).</summary>
    public IReadOnlyList<Finding> Findings => Gate.Findings;

    public long LeakedBlocks => Findings.Where(f => f.Kind == FindingKind.Leak).Sum(f => f.Count);

    public long LeakedBytes => Findings.Where(f => f.Kind == FindingKind.Leak).Sum(f => f.Bytes);

    /// <summary>The target's own live counts per family at each heartbeat, over the stream's time.</summary>
    public IReadOnlyList<LivePoint> LiveSeries => _series ??= LivePoint.Series(Analysis.Heartbeats, Session?.HeartbeatSeconds ?? [], MaxSeriesPoints);

    public static TraceReport From(TraceOutcome outcome, GatePolicy? gate = null) =>
        new(outcome.Analysis, outcome.Target, outcome.Session) { Gate = (gate ?? GatePolicy.Default).Evaluate(outcome.Analysis, outcome.Target) };
}
