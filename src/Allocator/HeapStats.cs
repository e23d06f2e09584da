using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator;

/// <summary>The in-process ground truth that the tracer's reconstruction is checked against.</summary>
public static class HeapStats
{
    /// <summary>Sums every thread's counters. Exact when no other thread is inside the allocator.</summary>
    public static HeapSnapshot Capture()
    {
        Span<FamilyCounters> totals = stackalloc FamilyCounters[FamilySlots.Count];
        ThreadHeap.SumCounters(totals);
        var families = new HeapCounts[FamilySlots.Count];
        for (int f = 0; f < families.Length; f++)
        {
            families[f] = totals[f].ToCounts(MisuseReporter.CountFor((AllocationFamily)f));
        }

        return new HeapSnapshot(families);
    }
}
