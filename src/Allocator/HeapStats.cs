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
        return new HeapSnapshot(
            totals[(int)AllocationFamily.Raw].ToCounts(MisuseReporter.CountFor(AllocationFamily.Raw)),
            totals[(int)AllocationFamily.Pool].ToCounts(MisuseReporter.CountFor(AllocationFamily.Pool)),
            totals[(int)AllocationFamily.Unknown].ToCounts(MisuseReporter.CountFor(AllocationFamily.Unknown)));
    }
}
