using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

public class HeapModelTests
{
    [Fact]
    public void Leaks_are_grouped_by_allocating_site_and_family_with_count_and_bytes()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 42, "Handle").Site(2, 50, "Other")
            .Alloc(1, 80, site: 1).Alloc(2, 80, site: 1).Alloc(3, 80, site: 1)
            .Alloc(4, 200, site: 2, HeapFamily.Raw)
            .Alloc(5, 16, site: 1, HeapFamily.Raw)
            .Alloc(6, 32, site: 2).Free(6, 32, freeSite: 2)
            .Heartbeat(2, 216, 3, 240, final: true)
            .When();

        Finding[] leaks = result.OfKind(FindingKind.Leak).ToArray();
        Assert.Equal(3, leaks.Length);
        Finding pool = Assert.Single(leaks, f => f.Family == HeapFamily.Pool);
        Assert.Equal((3L, 240L, 42, "Handle"), (pool.Count, pool.Bytes, pool.Site.Line, pool.Site.Member));
        Assert.Equal("/src/App/Program.cs", pool.Site.File);
        Assert.Contains(leaks, f => f.Family == HeapFamily.Raw && f.Site.Line == 50 && f.Count == 1 && f.Bytes == 200);
        Assert.Contains(leaks, f => f.Family == HeapFamily.Raw && f.Site.Line == 42 && f.Count == 1 && f.Bytes == 16);
        Assert.Equal(new[] { 200L, 240L, 16L }.OrderDescending(), leaks.Select(f => f.Bytes));
        Assert.Equal((5L, 456L), (result.LeakedBlocks, result.LeakedBytes));
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }

    [Fact]
    public void Blocks_are_matched_by_allocation_id_never_by_address()
    {
        // Two blocks at the same address (reused after a free) are two blocks.
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .Add(s => s.On(new BlockAllocated(new AllocationId(1), 0x5000, 64, new SiteId(1), HeapFamily.Raw)))
            .Add(s => s.On(new BlockFreed(new AllocationId(1), 0x5000, 64, new SiteId(1), HeapFamily.Raw)))
            .Add(s => s.On(new BlockAllocated(new AllocationId(2), 0x5000, 64, new SiteId(1), HeapFamily.Raw)))
            .Heartbeat(1, 64, 0, 0, final: true)
            .When();

        Assert.Equal(new FamilyCounts(1, 64, 2, 1), result.Raw);
        Assert.True(result.Completeness.Complete);
    }

    [Fact]
    public void A_free_read_before_its_allocation_from_another_thread_is_matched_later()
    {
        // Thread B's buffer (the free) was flushed before thread A's (the allocation).
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10).Site(2, 20)
            .Free(7, 48, freeSite: 2)
            .Alloc(7, 48, site: 1)
            .Alloc(8, 16, site: 1)
            .Free(8, 16, freeSite: 2)
            .Heartbeat(0, 0, 0, 0, final: true)
            .When();

        Assert.Empty(result.Findings);
        Assert.Equal(new FamilyCounts(0, 0, 2, 2), result.Pool);
        Assert.Equal(0, result.Completeness.UntrackedFrees);
        Assert.Equal(1, result.Statistics.OutOfOrderResolved);
        Assert.True(result.Completeness.Complete);
    }

    [Fact]
    public void Every_interleaving_of_two_threads_gives_the_same_account()
    {
        var threadA = new List<Action<ITraceRecordSink>>();
        var threadB = new List<Action<ITraceRecordSink>>();
        for (long id = 1; id <= 4; id++)
        {
            long captured = id;
            threadA.Add(s => s.On(new BlockAllocated(new AllocationId(captured), 0, 10 * captured, new SiteId(1), HeapFamily.Pool)));
            if (captured % 2 == 0)
            {
                threadB.Add(s => s.On(new BlockFreed(new AllocationId(captured), 0, 10 * captured, new SiteId(2), HeapFamily.Pool)));
            }
        }

        var random = new Random(4);
        for (int trial = 0; trial < 50; trial++)
        {
            var engine = new AnalysisEngine();
            int a = 0, b = 0;
            while (a < threadA.Count || b < threadB.Count)
            {
                bool takeA = b >= threadB.Count || (a < threadA.Count && random.Next(2) == 0);
                (takeA ? threadA[a++] : threadB[b++])(engine);
            }

            engine.On(new Heartbeat(1, default, new FamilyCounts(2, 40, 0, 0), 0, HeartbeatFlags.Final));
            AnalysisResult result = engine.Finish(StreamSummary.CleanExit);
            Assert.Equal(new FamilyCounts(2, 40, 4, 2), result.Pool);
            Finding leak = Assert.Single(result.Findings);
            Assert.Equal((FindingKind.Leak, 2L, 40L), (leak.Kind, leak.Count, leak.Bytes));
            Assert.True(result.Completeness.Complete);
        }
    }

    [Fact]
    public void Realloc_ends_the_old_block_and_the_new_one_leaks_at_the_realloc_site()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10, "Grow").Site(2, 11, "Grow")
            .Alloc(1, 100, site: 1, HeapFamily.Raw)
            .Realloc(1, 100, 2, 1000, site: 2)
            .Heartbeat(1, 1000, 0, 0, final: true)
            .When();

        Finding leak = Assert.Single(result.Findings);
        Assert.Equal((FindingKind.Leak, HeapFamily.Raw, 1L, 1000L, 11), (leak.Kind, leak.Family, leak.Count, leak.Bytes, leak.Site.Line));
        Assert.Equal(new FamilyCounts(1, 1000, 2, 1), result.Raw);
        Assert.True(result.Completeness.Complete);
    }

    [Fact]
    public void A_free_of_an_id_never_seen_is_untracked_and_uncertain_not_an_invalid_free()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .RundownStart().RundownStop()
            .Alloc(1, 64, site: 1)
            .Free(99, 32, freeSite: 1)
            .Heartbeat(0, 0, 1, 64, final: true)
            .When();

        Assert.DoesNotContain(result.Findings, f => f.Kind == FindingKind.InvalidFree);
        Assert.Equal((1L, 32L), (result.Completeness.UntrackedFrees, result.Completeness.UntrackedBytes));
        Assert.False(result.Completeness.Complete);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("1 frees (32 B)", StringComparison.Ordinal));
        Assert.True(Assert.Single(result.Findings).Uncertain);
    }
}
