using LeakScope.Allocator;

namespace LeakScope.Allocator.Tests;

public unsafe class RawHeapTests
{
    [Fact]
    public void Malloc_then_free_returns_the_heap_to_where_it_was()
    {
        HeapSnapshot before = HeapStats.Capture();
        byte* p = (byte*)RawHeap.Malloc(100);
        Assert.True(p != null);
        Assert.Equal(0, (nint)p % 16);
        p[99] = 42;
        RawHeap.Free(p);
        HeapSnapshot after = HeapStats.Capture();
        Assert.Equal(before.For(AllocationFamily.Raw).Allocations + 1, after.For(AllocationFamily.Raw).Allocations);
        Assert.Equal(before.For(AllocationFamily.Raw).Frees + 1, after.For(AllocationFamily.Raw).Frees);
    }
}
