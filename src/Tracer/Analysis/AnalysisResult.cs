using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>The engine's judgement: findings (largest first within each kind), the final live account, and how far to trust it.</summary>
public sealed record AnalysisResult(
    IReadOnlyList<Finding> Findings,
    FamilyCounts Raw,
    FamilyCounts Pool,
    Completeness Completeness,
    AnalysisStatistics Statistics,
    IReadOnlyList<HeartbeatSample> Heartbeats,
    StreamEnd End)
{
    /// <summary>The tracked system families (native, aligned, hglobal, cotaskmem) that saw any block, in wire order.</summary>
    public IReadOnlyList<KeyValuePair<HeapFamily, FamilyCounts>> Tracked { get; init; } = [];

    /// <summary>The heap snapshot the live blocks were judged by (<c>--reachability</c>), or null.</summary>
    public ReachabilitySnapshot? Reachability { get; init; }

    /// <summary>Blocks live at the end of the stream, every family.</summary>
    public long LiveBlocks => Raw.LiveBlocks + Pool.LiveBlocks + Tracked.Sum(t => t.Value.LiveBlocks);

    /// <summary>Bytes live at the end of the stream, every family.</summary>
    public long LiveBytes => Raw.LiveBytes + Pool.LiveBytes + Tracked.Sum(t => t.Value.LiveBytes);

    /// <summary>The blocks of every <see cref="FindingKind.Leak"/> finding.</summary>
    public long LeakedBlocks => Findings.Where(f => f.Kind == FindingKind.Leak).Sum(f => f.Count);

    /// <summary>The bytes of every <see cref="FindingKind.Leak"/> finding.</summary>
    public long LeakedBytes => Findings.Where(f => f.Kind == FindingKind.Leak).Sum(f => f.Bytes);

    /// <summary>The final account of one family (<see cref="Raw"/>, <see cref="Pool"/> or one of <see cref="Tracked"/>; empty for any other).</summary>
    public FamilyCounts Account(HeapFamily family) => family switch
    {
        HeapFamily.Raw => Raw,
        HeapFamily.Pool => Pool,
        _ => Tracked.FirstOrDefault(t => t.Key == family).Value,
    };

    /// <summary>The findings of one kind, in the engine's order.</summary>
    public IEnumerable<Finding> OfKind(FindingKind kind) => Findings.Where(f => f.Kind == kind);
}
