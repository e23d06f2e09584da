using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>
/// In a high-rate stream a heartbeat is compared with the account at its own position: the point it is read at,
/// moved forward in each writer by a prefix of that writer's next batch (operations counted between the writer's
/// publish and the snapshot) — never an earlier state, never records of another kind (docs/analysis.md).
/// </summary>
public class HeartbeatPositionTests
{
    /// <summary>Detached from a target that keeps running: judged by its last heartbeats, no exit file expected.</summary>
    private static readonly StreamSummary Detached = new(StreamEnd.Duration) { Batched = true };

    [Fact]
    public void A_heartbeat_that_equals_an_earlier_state_of_the_stream_does_not_verify_the_account()
    {
        AnalysisResult result = TraceScript.Given().Site(1, 10)
            .Batch(1, 1).Alloc(1, 32, site: 1)
            .Batch(1, 2).Alloc(2, 32, site: 1)
            .Heartbeat(0, 0, 1, 32, batched: true) // the state after the first batch, not at the heartbeat's position
            .When(Detached);

        Assert.False(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.Mismatch, result.Completeness.Heartbeat);
    }

    [Fact]
    public void Operations_counted_before_the_snapshot_and_published_after_it_are_a_prefix_of_the_writers_next_batch()
    {
        AnalysisResult result = TraceScript.Given().Site(1, 10)
            .Batch(1, 1).Alloc(1, 32, site: 1)
            .Heartbeat(0, 0, 2, 64, batched: true) // writer 2 had allocated block 2 when the counters were read
            .Batch(2, 1).Alloc(2, 32, site: 1).Alloc(3, 32, site: 1).FreeId(3)
            .When(Detached);

        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.True(result.Heartbeats[^1].Matches);
        Assert.Equal((2L, 64L), (result.Pool.LiveBlocks, result.Pool.LiveBytes));
    }

    [Fact]
    public void Prefixes_of_several_writers_combine()
    {
        AnalysisResult result = TraceScript.Given().Site(1, 10)
            .Heartbeat(0, 0, 1, 96, batched: true)
            .Batch(1, 1).Alloc(1, 64, site: 1).Alloc(2, 64, site: 1)
            .Batch(2, 1).Alloc(3, 32, site: 1).Alloc(4, 16, site: 1)
            .When(Detached);

        // 96 B in one block is no combination of prefixes (64 | 128) + (32 | 48): not verified.
        Assert.False(result.Completeness.Complete);

        AnalysisResult combined = TraceScript.Given().Site(1, 10)
            .Heartbeat(0, 0, 2, 96, batched: true) // one block of writer 1 and one of writer 2
            .Batch(1, 1).Alloc(1, 64, site: 1).Alloc(2, 64, site: 1)
            .Batch(2, 1).Alloc(3, 32, site: 1).Alloc(4, 16, site: 1)
            .When(Detached);
        Assert.True(combined.Completeness.Complete, string.Join("; ", combined.Completeness.Reasons));
    }

    [Fact]
    public void Only_the_first_batch_of_a_writer_after_the_heartbeat_can_hold_what_it_counted()
    {
        AnalysisResult result = TraceScript.Given().Site(1, 10)
            .Heartbeat(0, 0, 1, 32, batched: true)
            .Batch(1, 1).Alloc(1, 16, site: 1)
            .Batch(1, 2).Alloc(2, 32, site: 1).FreeId(1)
            .When(Detached);

        Assert.False(result.Completeness.Complete);
    }

    [Fact]
    public void The_records_of_a_rundown_read_after_a_heartbeat_are_not_part_of_its_position()
    {
        AnalysisResult result = TraceScript.Given().Site(1, 10)
            .Heartbeat(0, 0, 1, 32, batched: true)
            .Batch(1, 1).Alloc(1, 16, site: 1)
            .RundownStart().Rundown(9, 32, site: 1).RundownStop(1, 32)
            .When(Detached);

        Assert.False(result.Completeness.Complete);
    }

    [Fact]
    public void Rundown_free_then_a_late_allocation_record_is_one_ended_block_and_the_heartbeat_agrees()
    {
        // Late attach: the walk reported block 7 (allocated since the session started, its record still in its thread's
        // batch); its free is read next, its allocation record last.
        AnalysisResult result = TraceScript.Given().Site(1, 10)
            .RundownStart().Rundown(7, 40, site: 1).RundownStop(1, 40)
            .Batch(2, 1).FreeId(7)
            .Batch(1, 1).Alloc(7, 40, site: 1)
            .Heartbeat(0, 0, 0, 0, batched: true)
            .When(Detached);

        Assert.Equal(new FamilyCounts(0, 0, 1, 1), result.Pool);
        Assert.Empty(result.Findings);
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }
}
