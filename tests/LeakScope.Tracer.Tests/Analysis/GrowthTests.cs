using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

public class GrowthTests
{
    /// <summary>Heartbeats with, between them, <paramref name="perWindow"/>(window) new live blocks of 512 B at site 1 (negative: frees).</summary>
    private static TraceScript Windows(params int[] perWindow)
    {
        TraceScript script = TraceScript.Given().Site(1, 33, "Cache").Site(2, 34, "Evict");
        var live = new Stack<long>();
        long next = 1;
        script.Heartbeat(0, 0, 0, 0);
        foreach (int delta in perWindow)
        {
            for (int i = 0; i < delta; i++)
            {
                live.Push(next);
                script.Alloc(next++, 512, site: 1);
            }

            for (int i = 0; i < -delta; i++)
            {
                script.Free(live.Pop(), 512, freeSite: 2);
            }

            script.Heartbeat(0, 0, live.Count, live.Count * 512L);
        }

        return script;
    }

    [Fact]
    public void A_site_rising_in_most_windows_by_more_than_the_threshold_is_growth()
    {
        AnalysisResult result = Windows(1, 1, 0, 1, -1, 1, 1).When(new StreamSummary(StreamEnd.Duration));

        Finding growth = Assert.Single(result.OfKind(FindingKind.Growth));
        Assert.Equal((HeapFamily.Pool, 33, 4L, 2048L), (growth.Family, growth.Site.Line, growth.Count, growth.Bytes));
        Assert.Equal(new GrowthEvidence(0, 2048, 2048, 5, 1, 7), growth.Growth);
    }

    [Theory]
    [InlineData(new[] { 1, -1, 1, -1, 1, -1 })] // churn, ends where it started
    [InlineData(new[] { 4, 0, 0, 0, 0 })] // one burst: a rise in a single window is not a trend
    [InlineData(new[] { 1, 1, -1, -1, 1, 1, -1 })] // as many falls as rises
    public void Churn_or_a_single_burst_is_not_growth(int[] perWindow) =>
        Assert.Empty(Windows(perWindow).When(new StreamSummary(StreamEnd.Duration)).OfKind(FindingKind.Growth));

    [Fact]
    public void The_rule_is_configurable()
    {
        var strict = new AnalysisOptions { Growth = new GrowthRule(MinRisingWindows: 3, MinGrowthBytes: 4096) };
        Assert.Empty(Windows(1, 1, 1, 1).When(new StreamSummary(StreamEnd.Duration), strict).OfKind(FindingKind.Growth));
        Assert.Single(Windows(1, 1, 1, 1).When(new StreamSummary(StreamEnd.Duration)).OfKind(FindingKind.Growth));
    }

    [Fact]
    public void A_site_first_seen_after_the_first_heartbeat_starts_from_zero()
    {
        TraceScript script = TraceScript.Given().Site(1, 33).Heartbeat(0, 0, 0, 0).Heartbeat(0, 0, 0, 0);
        for (long id = 1; id <= 3; id++)
        {
            script.Alloc(id, 600, site: 1).Heartbeat(0, 0, id, id * 600);
        }

        Finding growth = Assert.Single(script.When(new StreamSummary(StreamEnd.Duration)).OfKind(FindingKind.Growth));
        Assert.Equal(new GrowthEvidence(0, 1800, 1800, 3, 0, 3), growth.Growth);
    }
}
