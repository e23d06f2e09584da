namespace LeakScope.Allocator;

/// <summary>
/// Counts for one family or for the whole heap. A value type with <c>+</c> and <c>−</c> so that
/// snapshots can be summed and diffed (heaptrack's <c>AllocationData</c>).
/// </summary>
public readonly record struct HeapCounts(long LiveBlocks, long LiveBytes, long Allocations, long Frees, long MisuseCount)
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
