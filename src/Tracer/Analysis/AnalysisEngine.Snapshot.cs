using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>A cheap look at the account so far, for a live view (taken on the reading thread; the result is immutable).</summary>
public sealed partial class AnalysisEngine
{
    /// <summary>The account now and the <paramref name="topSites"/> sites whose live bytes grew most since their first heartbeat sample.</summary>
    public EngineSnapshot Snapshot(int topSites = 5)
    {
        SiteGrowth[] top = topSites <= 0 ? [] : _heap.Sites
            .Where(s => s.LiveBytes - s.FirstSampleBytes > 0)
            .OrderByDescending(s => s.LiveBytes - s.FirstSampleBytes)
            .ThenBy(s => s.Site)
            .Take(topSites)
            .Select(s => new SiteGrowth(_sites.Resolve(s.Site), s.Family, s.LiveBlocks, s.LiveBytes, s.LiveBytes - s.FirstSampleBytes))
            .ToArray();
        return new EngineSnapshot(_records, _heartbeats.Count, _heap.Account(HeapFamily.Raw), _heap.Account(HeapFamily.Pool), top)
        {
            Tracked = _heap.TrackedAccounts(),
        };
    }
}
