using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>An in-process consumer of block events (leak gates). Called on the allocating or freeing thread.</summary>
internal interface IBlockObserver
{
    void OnAllocated(in LiveBlock block);

    void OnFreed(long allocationId);

    /// <summary>
    /// A realloc retired <paramref name="oldAllocationId"/> and gave the block a new id. An observer that only
    /// follows blocks it already knows (a leak gate) needs to tell this apart from an unrelated free and allocation.
    /// </summary>
    void OnReallocated(long oldAllocationId, in LiveBlock block)
    {
        OnFreed(oldAllocationId);
        OnAllocated(block);
    }
}
