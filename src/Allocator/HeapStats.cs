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

    /// <summary>
    /// Every site that has live blocks, per family, with its live blocks and bytes, over the whole live heap (every
    /// family, the tracked <c>NativeMemory</c> / <c>Marshal</c> blocks included), paid by the caller. The small blocks
    /// are counted incrementally: only the pools changed since the previous call are read again (a free adds one check of
    /// its pool's mark; docs/hosting.md). Runs beside allocating threads; blocks allocated or freed during the call may
    /// or may not be counted. No order is promised.
    /// </summary>
    public static IReadOnlyList<SiteUsage> CaptureSites()
    {
        SiteTally tally = SiteTally.Capture();
        var sites = new List<SiteUsage>();
        for (int i = 0; i < tally.Length; i++)
        {
            long blocks = tally.BlocksAt(i);
            if (blocks == 0)
            {
                continue;
            }

            Diagnostics.SiteInfo site = Diagnostics.SiteRegistry.Get(i / FamilySlots.Count);
            sites.Add(new SiteUsage(site.File, site.Line, site.Member, (AllocationFamily)(i % FamilySlots.Count), blocks, tally.BytesAt(i)));
        }

        return sites;
    }
}
