using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

public class SnapshotTests
{
    [Fact]
    public void GIVEN_sites_that_grow_differently_WHEN_snapshot_THEN_the_account_and_the_top_growers_largest_first()
    {
        AnalysisEngine engine = TraceScript.Given()
            .Site(1, 10, "Steady").Site(2, 20, "Fast").Site(3, 30, "Churn")
            .Alloc(1, 100, site: 1).Heartbeat(0, 0, 1, 100)
            .Alloc(2, 100, site: 1).Alloc(3, 500, site: 2).Alloc(4, 64, site: 3, HeapFamily.Raw).Free(4, 64, freeSite: 3, HeapFamily.Raw)
            .Feed();

        EngineSnapshot snapshot = engine.Snapshot(topSites: 5);

        Assert.Equal(1, snapshot.Heartbeats);
        Assert.Equal(new FamilyCounts(3, 700, 3, 0), snapshot.Pool);
        Assert.Equal(new FamilyCounts(0, 0, 1, 1), snapshot.Raw);
        Assert.Equal(new[] { "Fast", "Steady" }, snapshot.TopGrowing.Select(g => g.Site.Member));
        Assert.Equal(new long[] { 500, 100 }, snapshot.TopGrowing.Select(g => g.GrowthBytes));
        Assert.Single(engine.Snapshot(topSites: 1).TopGrowing);
    }
}
