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
}
