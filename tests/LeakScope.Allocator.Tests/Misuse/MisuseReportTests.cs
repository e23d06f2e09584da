using LeakScope.Allocator.MisuseTarget;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Misuse;

/// <summary>
/// <see cref="MisusePolicy.Report"/>: every misuse is counted and the program carries on with a heap
/// that is exactly as consistent as if the misuse had been written correctly — a mismatched free frees
/// the block by its own family, a mismatched realloc moves the block into the caller's family, and
/// double frees, invalid frees and bad reallocs change nothing.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class MisuseReportTests
{
    private static readonly AllocationFamily[] OwningFamilies = [AllocationFamily.Raw, AllocationFamily.Pool];

    public static TheoryData<string> Scenarios => MisuseCases.All;

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void The_misuse_is_counted_against_its_family_and_the_heap_stays_exact(string name)
    {
        MisuseScenario scenario = MisuseScenarios.Get(name);
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        HeapSnapshot before = HeapStats.Capture();

        Victim victim = scenario.Arrange();
        nint result = scenario.Misuse(victim);
        scenario.CleanUpAfterReport(victim, result);

        HeapSnapshot after = HeapStats.Capture();
        foreach (AllocationFamily family in OwningFamilies)
        {
            HeapCounts change = Counts.Change(before, after, family);
            Assert.Equal(0, change.LiveBlocks);
            Assert.Equal(0, change.LiveBytes);
            Assert.Equal(change.Allocations, change.Frees);
            Assert.Equal(family == scenario.ChargedFamily ? 1 : 0, change.MisuseCount);
        }

        Assert.Equal(default, Counts.Change(before, after, AllocationFamily.Unknown));
        AssertHeapStillServesBothFamilies();
    }

    [Theory]
    [InlineData(48)]
    [InlineData(4096)]
    public void A_mismatched_free_frees_the_block_by_the_family_that_allocated_it(int size)
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        void* block = RawHeap.Malloc((nuint)size);
        HeapSnapshot before = HeapStats.Capture();

        PoolHeap.Free(block);

        HeapSnapshot after = HeapStats.Capture();
        Assert.Equal(new HeapCounts(-1, -size, 0, 1, 1), Counts.Change(before, after, AllocationFamily.Raw));
        Assert.Equal(default, Counts.Change(before, after, AllocationFamily.Pool));
    }

    [Fact]
    public void A_small_block_freed_through_the_wrong_family_returns_to_its_own_familys_pool()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        void* block = RawHeap.Malloc(48);

        PoolHeap.Free(block);

        void* pool = PoolHeap.Malloc(48);
        void* raw = RawHeap.Malloc(48);
        Assert.True(pool != block, "A Raw block was handed out by the Pool family.");
        Assert.True(raw == block, "The freed Raw block did not go back to this thread's Raw cache.");
        PoolHeap.Free(pool);
        RawHeap.Free(raw);
    }

    [Theory]
    [InlineData(AllocationFamily.Raw, 48, 96)]
    [InlineData(AllocationFamily.Raw, 48, 5000)]
    [InlineData(AllocationFamily.Pool, 4096, 64)]
    public void A_mismatched_realloc_moves_the_block_into_the_callers_family_with_its_content(AllocationFamily owner, int size, int newSize)
    {
        AllocationFamily caller = owner == AllocationFamily.Raw ? AllocationFamily.Pool : AllocationFamily.Raw;
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        void* block = TestHeap.Malloc(owner, (nuint)size);
        TestHeap.Fill(block, (nuint)size, seed: 9);
        HeapSnapshot before = HeapStats.Capture();

        void* moved = TestHeap.Realloc(caller, block, (nuint)newSize);

        HeapSnapshot after = HeapStats.Capture();
        Assert.True(moved != null);
        Assert.Equal(-1, TestHeap.FirstMismatch(moved, (nuint)Math.Min(size, newSize), seed: 9));
        Assert.Equal(new HeapCounts(-1, -size, 0, 1, 1), Counts.Change(before, after, owner));
        Assert.Equal(Counts.Live(1, newSize), Counts.Change(before, after, caller));

        // The caller's own free is now the correct one: no further misuse.
        TestHeap.Free(caller, moved);
        Assert.Equal(after.MisuseCount, HeapStats.Capture().MisuseCount);
    }

    [Theory]
    [InlineData(AllocationFamily.Raw, 64)]
    [InlineData(AllocationFamily.Pool, 64)]
    [InlineData(AllocationFamily.Raw, 4096)]
    [InlineData(AllocationFamily.Pool, 1 << 20)]
    public void A_double_free_changes_nothing_and_the_block_is_never_handed_out_twice(AllocationFamily family, int size)
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        void* block = TestHeap.Malloc(family, (nuint)size);
        TestHeap.Free(family, block);
        HeapSnapshot before = HeapStats.Capture();

        TestHeap.Free(family, block);

        Assert.Equal(Counts.Misuse(1), Counts.Change(before, HeapStats.Capture(), family));

        // Had the block been cached twice, the next two allocations of its class would share it.
        void* first = TestHeap.Malloc(family, (nuint)size);
        void* second = TestHeap.Malloc(family, (nuint)size);
        Assert.True(first != second);
        TestHeap.Free(family, first);
        TestHeap.Free(family, second);
    }

    [Fact]
    public void Invalid_frees_and_bad_reallocs_leave_every_count_but_misuse_alone()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        void* live = PoolHeap.Malloc(100);
        void* freed = RawHeap.Malloc(100);
        RawHeap.Free(freed);
        byte* stack = stackalloc byte[32];
        HeapSnapshot before = HeapStats.Capture();

        RawHeap.Free(stack);
        PoolHeap.Free((byte*)live + 16);
        Assert.True(RawHeap.Realloc(freed, 200) == null);
        Assert.True(PoolHeap.Realloc(stack, 200) == null);
        Assert.True(PoolHeap.Realloc((byte*)live + 32, 200) == null);

        HeapSnapshot after = HeapStats.Capture();
        Assert.Equal(Counts.Misuse(2), Counts.Change(before, after, AllocationFamily.Raw));
        Assert.Equal(Counts.Misuse(3), Counts.Change(before, after, AllocationFamily.Pool));
        PoolHeap.Free(live);
    }

    /// <summary>Allocates, writes and frees a few blocks of every kind in both families and checks they come back exactly.</summary>
    private static void AssertHeapStillServesBothFamilies()
    {
        HeapSnapshot before = HeapStats.Capture();
        var blocks = new List<(AllocationFamily Family, nint Block, nuint Size)>();
        foreach (AllocationFamily family in OwningFamilies)
        {
            foreach (nuint size in new nuint[] { 32, 48, 64, 96, 4096 })
            {
                for (int i = 0; i < 2; i++)
                {
                    void* block = TestHeap.Malloc(family, size);
                    Assert.True(block != null);
                    TestHeap.Fill(block, size, seed: blocks.Count);
                    blocks.Add((family, (nint)block, size));
                }
            }
        }

        Assert.Equal(blocks.Count, blocks.Select(b => b.Block).Distinct().Count());
        for (int i = 0; i < blocks.Count; i++)
        {
            Assert.Equal(-1, TestHeap.FirstMismatch((void*)blocks[i].Block, blocks[i].Size, seed: i));
            TestHeap.Free(blocks[i].Family, (void*)blocks[i].Block);
        }

        Assert.Equal(before.Counts + Counts.Churn(blocks.Count), HeapStats.Capture().Counts);
    }
}
