using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

public class MisuseTests
{
    [Fact]
    public void Mismatched_free_names_the_allocating_site_the_freeing_site_and_both_families()
    {
        // Under the Report policy the block is still freed by its own family: a BlockFreed follows.
        AnalysisResult result = TraceScript.Given()
            .Site(1, 67, "PlantedBugs").Site(2, 68, "PlantedBugs")
            .Alloc(1, 64, site: 1, HeapFamily.Raw)
            .Misuse(MisuseKind.MismatchedFree, HeapFamily.Raw, HeapFamily.Pool, 1, 64, site: 2, allocationSite: 1)
            .Free(1, 64, freeSite: 2, HeapFamily.Raw)
            .Heartbeat(0, 0, 0, 0, final: true)
            .When();

        Finding f = Assert.Single(result.Findings);
        Assert.Equal((FindingKind.MismatchedFree, HeapFamily.Raw, 1L, 64L), (f.Kind, f.Family, f.Count, f.Bytes));
        Assert.Equal(67, f.Site.Line);
        Assert.Equal(68, f.FreeSite!.Line);
        Assert.Equal(HeapFamily.Pool, f.CallerFamily);
        Assert.True(result.Completeness.Complete);
    }

    [Fact]
    public void Double_frees_are_counted_per_site_pair_and_realloc_of_a_freed_block_is_a_double_free()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 71).Site(2, 73).Site(3, 90)
            .Misuse(MisuseKind.DoubleFree, HeapFamily.Pool, HeapFamily.Pool, 5, 48, site: 2, allocationSite: 1)
            .Misuse(MisuseKind.DoubleFree, HeapFamily.Pool, HeapFamily.Pool, 6, 48, site: 2, allocationSite: 1)
            .Misuse(MisuseKind.ReallocOfFreed, HeapFamily.Raw, HeapFamily.Raw, 7, 16, site: 3, allocationSite: 1)
            .When();

        Finding free = Assert.Single(result.Findings, f => f.Detail is null);
        Assert.Equal((FindingKind.DoubleFree, 2L, 96L, 71, 73), (free.Kind, free.Count, free.Bytes, free.Site.Line, free.FreeSite!.Line));
        Finding realloc = Assert.Single(result.Findings, f => f.Detail == "realloc");
        Assert.Equal((FindingKind.DoubleFree, HeapFamily.Raw, 16L, 90), (realloc.Kind, realloc.Family, realloc.Bytes, realloc.FreeSite!.Line));
    }

    [Fact]
    public void Invalid_free_is_sited_at_the_offending_call_in_the_callers_family()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(4, 77, "PlantedBugs")
            .Misuse(MisuseKind.InvalidFree, HeapFamily.Unknown, HeapFamily.Raw, 0, 0, site: 4, allocationSite: 0)
            .Misuse(MisuseKind.InvalidRealloc, HeapFamily.Unknown, HeapFamily.Raw, 0, 0, site: 4, allocationSite: 0)
            .When();

        Finding free = Assert.Single(result.Findings, f => f.Detail is null);
        Assert.Equal((FindingKind.InvalidFree, HeapFamily.Raw, 1L, 0L, 77, "PlantedBugs"), (free.Kind, free.Family, free.Count, free.Bytes, free.Site.Line, free.Site.Member));
        Assert.Equal(FindingKind.InvalidFree, Assert.Single(result.Findings, f => f.Detail == "realloc").Kind);
    }

    [Fact]
    public void A_site_whose_definition_never_arrived_is_reported_as_undefined_not_dropped()
    {
        AnalysisResult result = TraceScript.Given().Alloc(1, 10, site: 9).Heartbeat(0, 0, 1, 10, final: true).When();

        Finding leak = Assert.Single(result.Findings);
        Assert.False(leak.Site.IsDefined);
        Assert.Equal(9, leak.Site.Id);
        Assert.Equal(1, result.Statistics.UndefinedSites);
    }
}
