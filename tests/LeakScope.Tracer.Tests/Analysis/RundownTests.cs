using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>Attaching late: blocks from before the session come from the rundown, and nothing about them is a misuse.</summary>
public class RundownTests
{
    [Fact]
    public void Late_attach_blocks_from_the_rundown_can_be_freed_without_any_finding()
    {
        AnalysisResult result = TraceScript.Given()
            .RundownStart()
            .Site(1, 22, "Main")
            .Rundown(100, 128, site: 1, HeapFamily.Raw).Rundown(101, 128, site: 1, HeapFamily.Raw).Rundown(102, 128, site: 1, HeapFamily.Raw)
            .RundownStop(3, 384)
            .Heartbeat(3, 384, 0, 0)
            .Free(100, 128, freeSite: 1, HeapFamily.Raw)
            .Free(101, 128, freeSite: 1, HeapFamily.Raw)
            .Heartbeat(1, 128, 0, 0, final: true)
            .When();

        Finding leak = Assert.Single(result.Findings);
        Assert.Equal((FindingKind.Leak, 1L, 128L, 22), (leak.Kind, leak.Count, leak.Bytes, leak.Site.Line));
        Assert.Equal(3, result.Statistics.RundownBlocks);
        Assert.Equal(new FamilyCounts(1, 128, 0, 2), result.Raw);
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }

    [Fact]
    public void Rundown_records_are_idempotent_with_allocation_records()
    {
        // Allocated after the source was enabled but before the rundown walked its slot: seen twice.
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .Alloc(5, 64, site: 1)
            .RundownStart().Rundown(5, 64, site: 1).Rundown(6, 32, site: 1).RundownStop(2, 96)
            .Rundown(5, 64, site: 1) // a second session's rundown
            .Heartbeat(0, 0, 2, 96, final: true)
            .When();

        Assert.Equal(new FamilyCounts(2, 96, 1, 0), result.Pool);
        Assert.True(result.Completeness.Complete);
    }

    [Fact]
    public void A_free_that_overtakes_its_rundown_record_is_a_tombstone_resolved_by_it()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .RundownStart()
            .Free(7, 64, freeSite: 1) // walked live, freed on another thread, free flushed first
            .Rundown(7, 64, site: 1)
            .RundownStop(1, 64)
            .Heartbeat(0, 0, 0, 0, final: true)
            .When();

        Assert.Empty(result.Findings);
        Assert.Equal(0, result.Completeness.UntrackedFrees);
        Assert.True(result.Completeness.Complete);
    }

    [Fact]
    public void A_rundown_record_after_its_blocks_allocation_and_free_does_not_resurrect_it()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .RundownStart()
            .Alloc(9, 64, site: 1)
            .Free(9, 64, freeSite: 1)
            .Rundown(9, 64, site: 1) // walked while live, written after the free
            .RundownStop(1, 64)
            .Heartbeat(0, 0, 0, 0, final: true)
            .When();

        Assert.Empty(result.Findings);
        Assert.True(result.Completeness.Complete);
    }

    [Fact]
    public void A_pre_session_block_freed_before_the_rundown_reached_it_is_expected_not_untracked()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10)
            .Free(3, 64, freeSite: 1) // source enabled, rundown not yet started
            .RundownStart()
            .Free(4, 32, freeSite: 1) // freed while the rundown was walking, before it reached the block
            .RundownStop()
            .Heartbeat(0, 0, 0, 0, final: true)
            .When();

        Assert.Empty(result.Findings);
        Assert.Equal(0, result.Completeness.UntrackedFrees);
        Assert.Equal((2L, 96L), (result.Statistics.FreedBeforeRundown, result.Statistics.FreedBeforeRundownBytes));
        Assert.True(result.Completeness.Complete);
    }
}
