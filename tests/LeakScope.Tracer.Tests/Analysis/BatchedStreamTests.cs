using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>What the high-rate mode's records mean to the engine: frees by id alone, folded pairs, the rundown race, the exit file.</summary>
public class BatchedStreamTests
{
    private static readonly StreamSummary BatchedExitWithFile = new(StreamEnd.TargetExited) { Batched = true, ExitFile = ExitFileStatus.Read };

    [Fact]
    public void A_free_that_carries_only_the_id_takes_size_site_and_family_from_the_live_block()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .Alloc(1, 600, site: 1, HeapFamily.Raw).Alloc(2, 64, site: 1, HeapFamily.Pool)
            .FreeId(1)
            .Heartbeat(0, 0, 1, 64, final: true)
            .When(BatchedExitWithFile);

        Assert.Equal(new FamilyCounts(0, 0, 1, 1), result.Raw);
        Assert.Equal(new FamilyCounts(1, 64, 1, 0), result.Pool);
        Finding leak = Assert.Single(result.OfKind(FindingKind.Leak));
        Assert.Equal((HeapFamily.Pool, 1L, 64L), (leak.Family, leak.Count, leak.Bytes));
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }

    [Fact]
    public void An_id_only_free_read_before_its_allocation_waits_and_resolves()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .FreeId(9) // another thread's batch was published first
            .Alloc(9, 48, site: 1)
            .Heartbeat(0, 0, 0, 0, final: true)
            .When(BatchedExitWithFile);

        Assert.Equal(new FamilyCounts(0, 0, 1, 1), result.Pool);
        Assert.Equal(1, result.Statistics.OutOfOrderResolved);
        Assert.Empty(result.Findings);
        Assert.True(result.Completeness.Complete);
    }

    [Fact]
    public void Folded_pairs_count_as_allocations_and_frees_of_their_site_never_as_live()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10).Site(2, 20)
            .Folded(site: 1, count: 1000, bytes: 64_000)
            .Alloc(1, 48, site: 2, HeapFamily.Raw)
            .Folded(site: 1, count: 10, bytes: 640)
            .Folded(site: 2, count: 5, bytes: 240, HeapFamily.Raw)
            .Heartbeat(new FamilyCounts(1, 48, 6, 5), new FamilyCounts(0, 0, 1010, 1010), final: true)
            .When(BatchedExitWithFile);

        Assert.Equal(new FamilyCounts(0, 0, 1010, 1010), result.Pool);
        Assert.Equal(new FamilyCounts(1, 48, 6, 5), result.Raw);
        Finding leak = Assert.Single(result.Findings);
        Assert.Equal((FindingKind.Leak, 1L, 48L, 20), (leak.Kind, leak.Count, leak.Bytes, leak.Site.Line));
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }

    [Fact]
    public void A_block_the_rundown_reported_before_its_allocation_record_arrived_is_one_block()
    {
        // Allocated after the session started; its record waited in the thread's batch while the rundown walked it.
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .RundownStart().Rundown(5, 64, site: 1).RundownStop(1, 64)
            .Alloc(5, 64, site: 1)
            .Alloc(6, 32, site: 1)
            .FreeId(5)
            .Heartbeat(0, 0, 1, 32, final: true)
            .When(BatchedExitWithFile);

        Assert.Equal(new FamilyCounts(1, 32, 2, 1), result.Pool);
        Assert.Equal(0, result.Statistics.RundownBlocks);
        Assert.Equal(0, result.Statistics.DuplicateAllocations);
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }

    [Fact]
    public void A_live_block_allocated_twice_is_still_a_duplicate()
    {
        AnalysisResult result = TraceScript.Given().Site(1, 10).Alloc(5, 64, site: 1).Alloc(5, 64, site: 1)
            .Heartbeat(0, 0, 1, 64, final: true).When(BatchedExitWithFile);

        Assert.Equal(1, result.Statistics.DuplicateAllocations);
        Assert.False(result.Completeness.Complete);
    }

    [Theory]
    [InlineData(ExitFileStatus.Empty, "it wrote no exit file")]
    [InlineData(ExitFileStatus.Malformed, "its exit file could not be read")]
    [InlineData(ExitFileStatus.NotRequested, "no exit file came with the trace")]
    public void A_batched_target_that_exits_without_a_readable_exit_file_is_incomplete(ExitFileStatus exitFile, string why)
    {
        // The heartbeat agrees and the stream ended cleanly: that would verify per-operation events, but a thread's last
        // batch records were still in its buffer at exit and only the exit file carries them.
        TraceScript stream = TraceScript.Given().Site(1, 10).Heartbeat(0, 0, 0, 0).Alloc(1, 80, site: 1);

        AnalysisResult batched = stream.When(new StreamSummary(StreamEnd.TargetExited) { Batched = true, ExitFile = exitFile });
        AnalysisResult perOperation = stream.When(new StreamSummary(StreamEnd.TargetExited) { ExitFile = exitFile });

        Assert.False(batched.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.NoFinalHeartbeat, batched.Completeness.Heartbeat);
        Assert.Contains(batched.Completeness.Reasons, r => r.Contains(why, StringComparison.Ordinal) && r.Contains("may be missing", StringComparison.Ordinal));
        Assert.True(Assert.Single(batched.OfKind(FindingKind.Leak)).Uncertain);
        Assert.True(perOperation.Completeness.Complete, string.Join("; ", perOperation.Completeness.Reasons));
    }

    [Fact]
    public void A_batched_recording_replayed_from_a_file_needs_its_exit_file_too()
    {
        TraceScript stream = TraceScript.Given().Site(1, 10).Heartbeat(0, 0, 0, 0).Alloc(1, 80, site: 1);

        Assert.False(stream.When(new StreamSummary(StreamEnd.EndOfFile) { Batched = true }).Completeness.Complete);
        Assert.True(stream.Heartbeat(0, 0, 1, 80, final: true)
            .When(new StreamSummary(StreamEnd.EndOfFile) { Batched = true, ExitFile = ExitFileStatus.Read }).Completeness.Complete);
    }

    [Fact]
    public void A_recording_whose_batches_all_went_to_the_exit_file_is_known_batched_by_its_heartbeats()
    {
        // A short program: its only batch was still buffered at exit, so the stream carries heartbeats and no batch.
        AnalysisResult result = TraceScript.Given().Site(1, 10)
            .Add(s => s.On(new Heartbeat(1, default, default, 0, HeartbeatFlags.Batched)))
            .When(new StreamSummary(StreamEnd.EndOfFile));

        Assert.False(result.Completeness.Complete);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("no exit file came with the trace", StringComparison.Ordinal));
    }

    [Fact]
    public void Detaching_from_a_batched_target_keeps_the_heartbeat_rule()
    {
        // The target keeps running: the account is as of the last heartbeat that agreed, records after it included.
        AnalysisResult result = TraceScript.Given().Site(1, 10).Alloc(1, 80, site: 1).Heartbeat(0, 0, 1, 80)
            .When(new StreamSummary(StreamEnd.Duration) { Batched = true, ExitFile = ExitFileStatus.Withdrawn });

        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }

    [Fact]
    public void Batches_missing_from_a_threads_sequence_make_the_account_incomplete()
    {
        AnalysisResult result = TraceScript.Given().Site(1, 10).Alloc(1, 80, site: 1).Heartbeat(0, 0, 1, 80, final: true)
            .When(BatchedExitWithFile with { MissingBatches = 2 });

        Assert.False(result.Completeness.Complete);
        Assert.Contains(result.Completeness.Reasons, r => r.StartsWith("2 batches of high-rate records never arrived", StringComparison.Ordinal));
        Assert.True(Assert.Single(result.OfKind(FindingKind.Leak)).Uncertain);
    }
}
