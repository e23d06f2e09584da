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
    /// <summary>The JSON report's <c>schemaVersion</c> (docs/json-report.md).</summary>
    public const int SchemaVersion = 1;

    /// <summary>At most this many points of <see cref="LiveSeries"/> are kept (evenly spaced, the last always).</summary>
    public const int MaxSeriesPoints = 1000;

    private GateResult? _gate;
    private IReadOnlyList<LivePoint>? _series;

    /// <summary>Whether the account is provably exact (<see cref="Completeness.Complete"/>).</summary>
    public bool Complete => Analysis.Completeness.Complete;

    /// <summary>Events EventPipe dropped.</summary>
    public long EventsLost => Analysis.Completeness.EventsLost;

    /// <summary>The gate's verdict; without an explicit policy, the default (fail on any finding, no suppressions).</summary>
    public GateResult Gate
    {
        get => _gate ??= GatePolicy.Default.Evaluate(Analysis, Target);
        init => _gate = value;
    }

    /// <summary>The findings that remain after suppressions, in the engine's order (kind, then largest first).</summary>
    public IReadOnlyList<Finding> Findings => Gate.Findings;

    /// <summary>The blocks of the <c>leak</c> findings that remain after suppressions.</summary>
    public long LeakedBlocks => Findings.Where(f => f.Kind == FindingKind.Leak).Sum(f => f.Count);

    /// <summary>The bytes of the <c>leak</c> findings that remain after suppressions.</summary>
    public long LeakedBytes => Findings.Where(f => f.Kind == FindingKind.Leak).Sum(f => f.Bytes);

    /// <summary>The target's own live counts per family at each heartbeat, over the stream's time.</summary>
    public IReadOnlyList<LivePoint> LiveSeries => _series ??= LivePoint.Series(Analysis.Heartbeats, Session?.HeartbeatSeconds ?? [], MaxSeriesPoints);

    /// <summary>The report of a finished trace, judged by <paramref name="gate"/> (null: <see cref="GatePolicy.Default"/>).</summary>
    public static TraceReport From(TraceOutcome outcome, GatePolicy? gate = null) =>
        new(outcome.Analysis, outcome.Target, outcome.Session) { Gate = (gate ?? GatePolicy.Default).Evaluate(outcome.Analysis, outcome.Target) };
}
