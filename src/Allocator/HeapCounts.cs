namespace LeakScope.Allocator;

/// <summary>
/// Counts for one family or for the whole heap: the value inside a <see cref="HeapSnapshot"/>. A value type with
/// <c>+</c> and <c>−</c> so that snapshots can be summed and diffed (heaptrack's <c>AllocationData</c>); callers see
/// the same arithmetic on <see cref="HeapSnapshot"/> itself.
/// </summary>
internal readonly record struct HeapCounts(long LiveBlocks, long LiveBytes, long Allocations, long Frees, long MisuseCount)
{
    public static HeapCounts operator +(HeapCounts left, HeapCounts right) => new(
        left.LiveBlocks + right.LiveBlocks,
        left.LiveBytes + right.LiveBytes,
        left.Allocations + right.Allocations,
        left.Frees + right.Frees,
        left.MisuseCount + right.MisuseCount);

    public static HeapCounts operator -(HeapCounts left, HeapCounts right) => new(
        left.LiveBlocks - right.LiveBlocks,
        left.LiveBytes - right.LiveBytes,
        left.Allocations - right.Allocations,
        left.Frees - right.Frees,
        left.MisuseCount - right.MisuseCount);
}
