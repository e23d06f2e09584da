using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;
using LeakScope.Tracer.Tests.Analysis;

namespace LeakScope.Tracer.Tests.Reporting;

public class LivePointTests
{
    private static AnalysisResult Heartbeats(int count)
    {
        TraceScript script = TraceScript.Given().Site(1, 1);
        for (int i = 0; i < count; i++)
        {
            script.Alloc(i + 1, 10, site: 1, Events.HeapFamily.Raw).Heartbeat(i + 1, (i + 1) * 10, 0, 0);
        }

        return script.When();
    }

    [Fact]
    public void Each_heartbeat_is_a_point_with_the_targets_counts_at_its_recorded_time()
    {
        AnalysisResult result = Heartbeats(3);
        var session = new SessionStatistics(0, 0, new LeakScope.Tracer.Decoding.DecoderStatistics(), TimeSpan.Zero, null, TimeSpan.Zero, false) { HeartbeatSeconds = [0.5, 0.61] };
        IReadOnlyList<LivePoint> series = new TraceReport(result, new TargetInfo(1, "x"), session).LiveSeries;

        Assert.Equal(new[] { 0.5, 0.61, 0.71 }, series.Select(p => p.Seconds));
        Assert.Equal(new[] { false, false, true }, series.Select(p => p.Estimated));
        Assert.Equal(new long[] { 10, 20, 30 }, series.Select(p => p.Raw.LiveBytes));
    }

    [Fact]
    public void A_long_series_is_thinned_evenly_and_keeps_its_last_point()
    {
        IReadOnlyList<LivePoint> series = new TraceReport(Heartbeats(2500), new TargetInfo(1, "x"), null).LiveSeries;
        Assert.Equal(TraceReport.MaxSeriesPoints, series.Count);
        Assert.Equal(1, series[0].Sequence);
        Assert.Equal(2500, series[^1].Sequence);
        Assert.True(series.Zip(series.Skip(1)).All(p => p.Second.Sequence > p.First.Sequence));
    }
}
