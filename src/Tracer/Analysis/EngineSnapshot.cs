using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>The engine's account at one point of the stream: records consumed, heartbeats seen, live counts per family, top growing sites.</summary>
public sealed record EngineSnapshot(long Records, int Heartbeats, FamilyCounts Raw, FamilyCounts Pool, IReadOnlyList<SiteGrowth> TopGrowing)
{
    /// <summary>The tracked system families that saw any block (see <see cref="AnalysisResult.Tracked"/>).</summary>
    public IReadOnlyList<KeyValuePair<HeapFamily, FamilyCounts>> Tracked { get; init; } = [];

    /// <summary>Before the first record.</summary>
    public static readonly EngineSnapshot Empty = new(0, 0, default, default, []);
}
