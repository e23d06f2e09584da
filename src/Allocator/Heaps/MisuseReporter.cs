using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Counts, publishes and applies the <see cref="MisusePolicy"/> to every misuse the allocator catches.
/// The event always goes out first, so a tracer sees the misuse even when the policy then throws or
/// ends the process.
/// </summary>
internal static class MisuseReporter
{
    private static readonly long[] s_counts = new long[FamilySlots.Count];

    public static long CountFor(AllocationFamily family) => Volatile.Read(ref s_counts[(int)family]);

    /// <summary>Reports a misuse of a block passed to free or realloc. Returns true when the caller should carry on (Report).</summary>
    public static bool Report(MisuseKind kind, AllocationFamily caller, in BlockRecord block, string file, int line, string member)
    {
        int siteId = ThreadHeap.Current.Sites.Lookup(file, line, member);
        return Report(kind, block.Family, caller, block.AllocationId, block.Address, block.Size, block.SiteId, siteId);
    }

    /// <summary>Reports a misuse. Returns true when the caller should carry on (Report); otherwise throws or fails fast.</summary>
    public static bool Report(
        MisuseKind kind,
        AllocationFamily blockFamily,
        AllocationFamily callerFamily,
        long allocationId,
        nint address,
        nuint size,
        int allocationSiteId,
        int siteId)
    {
        AllocationFamily charged = blockFamily != AllocationFamily.Unknown ? blockFamily : callerFamily;
        Interlocked.Increment(ref s_counts[(int)charged]);

        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(System.Diagnostics.Tracing.EventLevel.Warning, AllocatorEventSource.Keywords.Misuse))
        {
            log.Misuse(kind, blockFamily, callerFamily, allocationId, address, size, siteId, allocationSiteId);
        }

        MisusePolicy policy = AllocatorSettings.MisusePolicy;
        if (policy == MisusePolicy.Report)
        {
            return true;
        }

        string message = Describe(kind, blockFamily, callerFamily, allocationId, address, size, allocationSiteId, siteId);
        if (policy == MisusePolicy.FailFast)
        {
            Environment.FailFast(message);
        }

        throw new AllocatorMisuseException(kind, blockFamily, callerFamily, allocationId, address, message);
    }

    private static string Describe(MisuseKind kind, AllocationFamily blockFamily, AllocationFamily callerFamily, long allocationId, nint address, nuint size, int allocationSiteId, int siteId)
    {
        SiteInfo at = SiteRegistry.Get(siteId);
        string where = $"{Path.GetFileName(at.File)}:{at.Line} ({at.Member})";
        if (allocationId == 0 && kind == MisuseKind.DoubleFree)
        {
            return $"LeakScope: {kind} of 0x{address:x} by {callerFamily} at {where}: the block was freed before and its pool's pages have since been given back to the system.";
        }

        if (allocationId == 0)
        {
            return $"LeakScope: {kind} of 0x{address:x} by {callerFamily} at {where}: no LeakScope heap handed out this pointer.";
        }

        SiteInfo from = SiteRegistry.Get(allocationSiteId);
        return $"LeakScope: {kind} by {callerFamily} at {where} of block #{allocationId} ({blockFamily}, {size} B at 0x{address:x}) allocated at {Path.GetFileName(from.File)}:{from.Line} ({from.Member}).";
    }
}
