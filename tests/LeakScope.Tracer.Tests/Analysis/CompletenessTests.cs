using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

public class CompletenessTests
{
    private static TraceScript LeakyStream() => TraceScript.Given()
        .Site(1, 10).Site(2, 20)
        .Alloc(1, 80, site: 1).Alloc(2, 80, site: 1)
        .Misuse(MisuseKind.DoubleFree, HeapFamily.Pool, HeapFamily.Pool, 3, 48, site: 2, allocationSite: 1);

    [Fact]
    public void Complete_when_nothing_is_lost_and_the_final_heartbeat_equals_the_account()
    {
        AnalysisResult result = LeakyStream().Heartbeat(0, 0, 2, 160, final: true).When();

        Assert.True(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.Verified, result.Completeness.Heartbeat);
        Assert.True(result.Completeness.CheckedAgainst!.Final);
        Assert.All(result.Findings, f => Assert.False(f.Uncertain));
    }

    [Fact]
    public void Lost_events_make_the_account_incomplete_and_leaks_uncertain_but_not_misuse()
    {
        AnalysisResult result = LeakyStream().Heartbeat(0, 0, 2, 160, final: true)
            .When(new StreamSummary(StreamEnd.TargetExited, EventsLost: 17));

        Completeness c = result.Completeness;
        Assert.False(c.Complete);
        Assert.Equal(17, c.EventsLost);
        Assert.Contains(c.Reasons, r => r.Contains("17 events were lost", StringComparison.Ordinal));
        Assert.Contains(c.UncertainFigures, f => f.StartsWith("leaked blocks and bytes", StringComparison.Ordinal));
        Assert.True(Assert.Single(result.OfKind(FindingKind.Leak)).Uncertain);
        Assert.False(Assert.Single(result.OfKind(FindingKind.DoubleFree)).Uncertain); // caught in-process: authoritative
    }

    [Fact]
    public void A_final_heartbeat_that_disagrees_makes_the_account_incomplete_and_says_by_how_much()
    {
        AnalysisResult result = LeakyStream().Heartbeat(0, 0, 1, 80, final: true).When();

        Assert.False(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.Mismatch, result.Completeness.Heartbeat);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("pool target 1 blocks / 80 B vs tracer 2 / 160", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_any_heartbeat_nothing_is_proven()
    {
        AnalysisResult result = LeakyStream().When();

        Assert.False(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.NoHeartbeat, result.Completeness.Heartbeat);
    }

    [Fact]
    public void A_stream_cut_by_a_dying_target_is_incomplete_even_if_earlier_heartbeats_agreed()
    {
        AnalysisResult result = LeakyStream().Heartbeat(0, 0, 2, 160)
            .When(new StreamSummary(StreamEnd.TargetExited, CleanEnd: false));

        Assert.False(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.NoFinalHeartbeat, result.Completeness.Heartbeat);
        Assert.True(Assert.Single(result.OfKind(FindingKind.Leak)).Uncertain);
    }

    [Fact]
    public void A_clean_end_without_final_heartbeat_is_verified_by_a_heartbeat_that_agreed_at_its_position()
    {
        // The runtime flushed everything at exit (clean end, nothing lost): the records after the heartbeat all arrived.
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .Heartbeat(0, 0, 0, 0)
            .Alloc(1, 80, site: 1)
            .When(new StreamSummary(StreamEnd.TargetExited));

        Assert.True(result.Completeness.Complete);
        Assert.Equal(1, result.Completeness.RecordsAfterCheck);
    }

    [Fact]
    public void Detached_the_last_heartbeats_must_agree_at_their_position()
    {
        TraceScript agreeing = TraceScript.Given().Site(1, 10).Alloc(1, 80, site: 1).Heartbeat(0, 0, 1, 80).Alloc(2, 80, site: 1);
        TraceScript disagreeing = TraceScript.Given().Site(1, 10).Alloc(1, 80, site: 1)
            .Heartbeat(0, 0, 5, 400).Heartbeat(0, 0, 5, 400).Heartbeat(0, 0, 5, 400);

        Assert.True(agreeing.When(new StreamSummary(StreamEnd.Duration)).Completeness.Complete);
        AnalysisResult bad = disagreeing.When(new StreamSummary(StreamEnd.Duration));
        Assert.False(bad.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.Mismatch, bad.Completeness.Heartbeat);
    }

    [Fact]
    public void Undecodable_events_make_the_account_incomplete()
    {
        AnalysisResult result = LeakyStream().Heartbeat(0, 0, 2, 160, final: true)
            .When(new StreamSummary(StreamEnd.TargetExited, UndecodableEvents: 2));

        Assert.False(result.Completeness.Complete);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("2 LeakScope-Allocator events could not be decoded", StringComparison.Ordinal));
    }

    [Fact]
    public void A_heartbeat_that_straddles_an_operation_in_flight_on_another_thread_still_verifies()
    {
        // The target counted the allocation before its heartbeat snapshot, but the allocation's event was
        // written after the heartbeat's: the account equals the heartbeat one record later.
        AnalysisResult ahead = TraceScript.Given().Site(1, 10)
            .Heartbeat(1, 16, 0, 0)
            .Add(s => s.On(new BlockAllocated(new AllocationId(1), 0, 16, new SiteId(1), HeapFamily.Raw)))
            .Add(s => s.On(new BlockFreed(new AllocationId(1), 0, 16, new SiteId(1), HeapFamily.Raw)))
            .When();

        // And the other way: written before the heartbeat, counted after the snapshot.
        AnalysisResult behind = TraceScript.Given().Site(1, 10)
            .Alloc(1, 16, site: 1, HeapFamily.Raw)
            .Heartbeat(0, 0, 0, 0)
            .When();

        Assert.True(ahead.Completeness.Complete, string.Join("; ", ahead.Completeness.Reasons));
        Assert.True(ahead.Heartbeats[0].MatchedInFlight);
        Assert.True(behind.Completeness.Complete, string.Join("; ", behind.Completeness.Reasons));
        Assert.True(behind.Heartbeats[0].MatchedInFlight);

        // A real disagreement is not explained away by the window.
        AnalysisResult wrong = TraceScript.Given().Site(1, 10).Alloc(1, 16, site: 1, HeapFamily.Raw).Heartbeat(3, 48, 0, 0).When();
        Assert.False(wrong.Completeness.Complete);
    }
}
