using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>
/// Detaching from a running target (docs/reliability.md): the account is complete only when the target confirmed its
/// flush and the heartbeat it named agrees with the account; an earlier heartbeat that agreed vouches for nothing after it.
/// </summary>
public class DetachCutTests
{
    private const long Token = 77;

    private static TraceScript Leaking() => TraceScript.Given()
        .Site(1, 10)
        .Alloc(1, 40, site: 1, family: HeapFamily.Raw)
        .Heartbeat(1, 40, 0, 0)
        .Alloc(2, 40, site: 1, family: HeapFamily.Raw);

    private static StreamSummary Detached(DetachStatus status) => new(StreamEnd.Cancelled) { Detach = status };

    [Fact]
    public void An_unconfirmed_detach_is_incomplete_and_says_why_though_an_earlier_heartbeat_agreed()
    {
        AnalysisResult result = Leaking().When(Detached(DetachStatus.Unconfirmed("no answer within 5 s")));

        Assert.False(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.NoFinalHeartbeat, result.Completeness.Heartbeat);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("detach was not confirmed by the target (no answer within 5 s)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_confirmed_detach_whose_heartbeat_agrees_is_complete_and_checked_against_that_heartbeat()
    {
        AnalysisResult result = Leaking().DetachFlushed(Token).Heartbeat(2, 80, 0, 0).When(Detached(DetachStatus.ConfirmedAt(2)));

        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.Equal(2, result.Completeness.CheckedAgainst!.Sequence);
        Assert.Equal(2, Assert.Single(result.OfKind(FindingKind.Leak)).Count);
    }

    [Fact]
    public void A_confirmed_detach_whose_heartbeat_disagrees_is_incomplete_though_an_earlier_heartbeat_agreed()
    {
        AnalysisResult result = Leaking().DetachFlushed(Token).Heartbeat(3, 120, 0, 0).When(Detached(DetachStatus.ConfirmedAt(2)));

        Assert.False(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.Mismatch, result.Completeness.Heartbeat);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("the heartbeat that confirmed the detach disagrees", StringComparison.Ordinal));
    }

    [Fact]
    public void The_engine_confirms_a_token_only_once_the_named_heartbeat_is_read()
    {
        var engine = new AnalysisEngine();
        engine.On(new DetachFlushed(Token, 5));
        Assert.False(engine.DetachConfirmed(Token, out _));

        engine.On(new Heartbeat(4, default, default, 0, HeartbeatFlags.None));
        Assert.False(engine.DetachConfirmed(Token, out _));

        engine.On(new Heartbeat(5, default, default, 0, HeartbeatFlags.None));
        Assert.True(engine.DetachConfirmed(Token, out long sequence));
        Assert.Equal(5, sequence);
        Assert.False(engine.DetachConfirmed(Token + 1, out _)); // another tracer's request is not ours
    }
}
