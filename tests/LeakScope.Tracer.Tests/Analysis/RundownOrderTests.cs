using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>A block from before the session, freed while the rundown is open: the account is the same in either order.</summary>
public class RundownOrderTests
{
    [Fact]
    public void A_free_read_before_its_rundown_record_counts_as_a_free_as_in_the_other_order()
    {
        // The free's thread flushed its buffer before the rundown's: the free arrives first.
        AnalysisResult freeFirst = TraceScript.Given().Site(1, 10).Site(2, 20)
            .RundownStart().Free(7, 128, freeSite: 2, HeapFamily.Raw).Rundown(7, 128, site: 1, HeapFamily.Raw).RundownStop(1, 128)
            .Heartbeat(0, 0, 0, 0)
            .When();
        AnalysisResult rundownFirst = TraceScript.Given().Site(1, 10).Site(2, 20)
            .RundownStart().Rundown(7, 128, site: 1, HeapFamily.Raw).Free(7, 128, freeSite: 2, HeapFamily.Raw).RundownStop(1, 128)
            .Heartbeat(0, 0, 0, 0)
            .When();

        Assert.Equal(new FamilyCounts(0, 0, 0, 1), rundownFirst.Raw);
        Assert.Equal(rundownFirst.Raw, freeFirst.Raw);
        Assert.True(freeFirst.Completeness.Complete, string.Join("; ", freeFirst.Completeness.Reasons));
        Assert.Empty(freeFirst.Findings);
    }

    /// <summary>
    /// A block allocated after a late attach, walked by the rundown before its allocation record left its thread's
    /// batch, then freed: its three records in every order give one ended block (issue: a free read before the
    /// allocation record brought the block back to life).
    /// </summary>
    [Theory]
    [InlineData("rundown free alloc")]
    [InlineData("free rundown alloc")]
    [InlineData("rundown alloc free")]
    [InlineData("alloc rundown free")]
    [InlineData("alloc free rundown")]
    [InlineData("free alloc rundown")]
    public void A_walked_block_freed_before_its_allocation_record_is_read_stays_freed(string order)
    {
        TraceScript script = TraceScript.Given().Site(1, 10).Site(2, 20).RundownStart();
        foreach (string step in order.Split(' '))
        {
            script = step switch
            {
                "rundown" => script.Rundown(7, 40, site: 1),
                "free" => script.FreeId(7),
                _ => script.Alloc(7, 40, site: 1),
            };
        }

        AnalysisResult result = script.RundownStop(1, 40).Heartbeat(0, 0, 0, 0).When(new StreamSummary(StreamEnd.Duration));

        Assert.Equal(new FamilyCounts(0, 0, 1, 1), result.Pool);
        Assert.Empty(result.Findings);
        Assert.Equal(0, result.Statistics.RundownBlocks);
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }

    [Fact]
    public void A_free_read_before_the_rundown_started_still_makes_the_walks_record_of_it_stale()
    {
        // Frees can be read before the rundown's start (another thread's batch): until the first rundown has ended,
        // the model remembers them.
        AnalysisResult result = TraceScript.Given().Site(1, 10)
            .Alloc(7, 40, site: 1).FreeId(7)
            .RundownStart().Rundown(7, 40, site: 1).RundownStop(1, 40)
            .Heartbeat(0, 0, 0, 0)
            .When(new StreamSummary(StreamEnd.Duration));

        Assert.Equal(new FamilyCounts(0, 0, 1, 1), result.Pool);
        Assert.Empty(result.Findings);
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
    }
}
