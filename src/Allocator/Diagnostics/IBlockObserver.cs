using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>An in-process consumer of block events (leak gates). Called on the allocating or freeing thread.</summary>
internal interface IBlockObserver
{
    void OnAllocated(in LiveBlock block);

    void OnFreed(long allocationId);
}
