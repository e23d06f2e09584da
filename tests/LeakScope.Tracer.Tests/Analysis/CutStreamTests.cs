using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>A stream cut without its end is never complete (docs/analysis.md), whatever its heartbeats say.</summary>
public class CutStreamTests
{
    private static TraceScript LeakWithFinalHeartbeat() => TraceScript.Given()
        .Site(1, 10).Site(2, 20)
        .Alloc(1, 80, site: 1).Alloc(2, 48, site: 1).Free(2, 48, freeSite: 2)
        .Heartbeat(0, 0, 1, 80, final: true);

    [Fact]
    public void A_final_heartbeat_that_agrees_makes_a_clean_stream_complete()
    {
        AnalysisResult result = LeakWithFinalHeartbeat().When(new StreamSummary(StreamEnd.TargetExited));

        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }

    [Theory]
    [InlineData(StreamEnd.TargetExited, "killed or crashed")]
    [InlineData(StreamEnd.Cancelled, "did not end cleanly")]
    public void A_cut_stream_is_incomplete_even_when_its_final_heartbeat_agrees(StreamEnd end, string reason)
    {
        // The final heartbeat proves the live account, but misuse or view events the target still had buffered
        // when the connection died are gone, and nothing counts them.
        AnalysisResult result = LeakWithFinalHeartbeat().When(new StreamSummary(end, CleanEnd: false));

        Assert.False(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.Verified, result.Completeness.Heartbeat);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains(reason, StringComparison.Ordinal));
        Assert.Contains(result.Completeness.UncertainFigures, f => f.Contains("cut", StringComparison.Ordinal));
        Assert.True(Assert.Single(result.OfKind(FindingKind.Leak)).Uncertain);
    }
}
