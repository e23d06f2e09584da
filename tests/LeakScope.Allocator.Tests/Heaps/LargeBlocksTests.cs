using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Heaps;

/// <summary>
/// Blocks above 512 bytes come from the system allocator, which reuses a freed address at once. The
/// allocator remembers recently freed addresses to tell a double free from an invalid free; that
/// memory must hold for the most recent free of an address, however often the address was used before.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class LargeBlocksTests
{
    public static TheoryData<AllocationFamily> Families => TestHeap.Families;

    [Theory]
    [MemberData(nameof(Families))]
    public void A_double_free_is_recognised_after_thousands_of_frees_at_the_same_address(AllocationFamily family)
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        for (int i = 0; i < 10_000; i++)
        {
            TestHeap.Free(family, TestHeap.Malloc(family, 1000));
        }

        void* block = TestHeap.Malloc(family, 1000);
        TestHeap.Free(family, block);

        var thrown = Assert.Throws<AllocatorMisuseException>(() => TestHeap.Free(family, block));
        Assert.Equal(MisuseKind.DoubleFree, thrown.Kind);
        Assert.Equal(family, thrown.BlockFamily);
        Assert.NotEqual(0, thrown.AllocationId);
    }

    [Fact]
    public void A_realloc_of_a_freed_large_block_is_recognised_after_thousands_of_frees_at_the_same_address()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        for (int i = 0; i < 10_000; i++)
        {
            PoolHeap.Free(PoolHeap.Malloc(700));
        }

        void* block = PoolHeap.Malloc(700);
        PoolHeap.Free(block);

        Assert.Equal(MisuseKind.ReallocOfFreed, Assert.Throws<AllocatorMisuseException>(() => PoolHeap.Realloc(block, 800)).Kind);
    }

    [Fact]
    public void A_live_large_block_is_never_mistaken_for_a_freed_one()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        void* block = RawHeap.Malloc(2000);
        RawHeap.Free(block);
        void* again = RawHeap.Malloc(2000); // very likely the same address
        HeapSnapshot before = HeapStats.Capture();

        RawHeap.Free(again);

        // One ordinary free: no misuse, whatever the address's history.
        Assert.Equal(new HeapCounts(-1, -2000, 0, 1, 0), Counts.Change(before, HeapStats.Capture(), AllocationFamily.Raw));
    }
}
