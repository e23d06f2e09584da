using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// <see cref="HeapStats"/> is the ground truth the tracer is checked against: every operation must
/// move exactly the counts of its own family by exactly what it did.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class HeapStatsTests
{
    public static TheoryData<AllocationFamily> Families => TestHeap.Families;

    [Theory]
    [MemberData(nameof(Families))]
    public void Live_blocks_and_bytes_are_exact_for_every_kind_of_block(AllocationFamily family)
    {
        AllocationFamily other = family == AllocationFamily.Raw ? AllocationFamily.Pool : AllocationFamily.Raw;
        nuint[] sizes = [0, 1, 512, 513, 1 << 20];
        HeapSnapshot before = HeapStats.Capture();

        var blocks = sizes.Select(size => (nint)TestHeap.Malloc(family, size)).ToList();
        HeapSnapshot live = HeapStats.Capture();
        blocks.ForEach(b => TestHeap.Free(family, (void*)b));
        HeapSnapshot after = HeapStats.Capture();

        Assert.Equal(Counts.Live(5, 1 + 512 + 513 + (1 << 20)), Counts.Change(before, live, family));
        Assert.Equal(Counts.Churn(5), Counts.Change(before, after, family));
        Assert.Equal(default, Counts.Change(before, after, other));
        Assert.Equal(default, Counts.Change(before, after, AllocationFamily.Unknown));
        Assert.Equal(before.Counts + Counts.Churn(5), after.Counts);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Calloc_counts_the_product_and_a_refused_calloc_counts_nothing(AllocationFamily family)
    {
        HeapSnapshot before = HeapStats.Capture();

        void* block = TestHeap.Calloc(family, 12, 10);
        Assert.True(TestHeap.Calloc(family, nuint.MaxValue, 16) == null);
        HeapSnapshot live = HeapStats.Capture();
        TestHeap.Free(family, block);

        Assert.Equal(Counts.Live(1, 120), Counts.Change(before, live, family));
        Assert.Equal(Counts.Churn(1), Counts.Change(before, HeapStats.Capture(), family));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Realloc_counts_one_free_of_the_old_block_and_one_allocation_of_the_new(AllocationFamily family)
    {
        void* block = TestHeap.Malloc(family, 20);
        HeapSnapshot before = HeapStats.Capture();

        block = TestHeap.Realloc(family, block, 30); // in place: same size class
        Assert.Equal(new HeapCounts(0, 10, 1, 1, 0), Counts.Change(before, HeapStats.Capture(), family));

        block = TestHeap.Realloc(family, block, 3000); // moved to a large block
        Assert.Equal(new HeapCounts(0, 2980, 2, 2, 0), Counts.Change(before, HeapStats.Capture(), family));

        block = TestHeap.Realloc(family, block, 100); // moved back into a pool
        Assert.Equal(new HeapCounts(0, 80, 3, 3, 0), Counts.Change(before, HeapStats.Capture(), family));

        Assert.True(TestHeap.Realloc(family, block, nuint.MaxValue - 4096) == null); // refused: nothing changes
        Assert.Equal(new HeapCounts(0, 80, 3, 3, 0), Counts.Change(before, HeapStats.Capture(), family));

        HeapCounts extra = default;
        if (family == AllocationFamily.Raw)
        {
            Assert.True(TestHeap.Realloc(family, block, 0) == null); // C: frees
            Assert.Equal(new HeapCounts(-1, -20, 3, 4, 0), Counts.Change(before, HeapStats.Capture(), family));
        }
        else
        {
            block = TestHeap.Realloc(family, block, 0); // PyMem: one live block of 0 bytes
            Assert.True(block != null);
            Assert.Equal(new HeapCounts(0, -20, 4, 4, 0), Counts.Change(before, HeapStats.Capture(), family));
            TestHeap.Free(family, block);
            Assert.Equal(new HeapCounts(-1, -20, 4, 5, 0), Counts.Change(before, HeapStats.Capture(), family));
            extra = new HeapCounts(0, 0, 1, 1, 0);
        }

        block = TestHeap.Realloc(family, null, 64); // allocates
        Assert.Equal(new HeapCounts(0, 44, 4, 4, 0) + extra, Counts.Change(before, HeapStats.Capture(), family));

        TestHeap.Free(family, block);
        Assert.Equal(new HeapCounts(-1, -20, 4, 5, 0) + extra, Counts.Change(before, HeapStats.Capture(), family));
    }

    [Fact]
    public void Free_of_null_counts_nothing()
    {
        HeapSnapshot before = HeapStats.Capture();

        RawHeap.Free(null);
        PoolHeap.Free(null);

        Assert.Equal(before.Counts, HeapStats.Capture().Counts);
    }

    [Fact]
    public void A_snapshot_is_the_sum_of_its_families()
    {
        void* raw = RawHeap.Malloc(100);
        void* pool = PoolHeap.Malloc(700);
        HeapSnapshot snapshot = HeapStats.Capture();
        RawHeap.Free(raw);
        PoolHeap.Free(pool);

        HeapCounts sum = Enum.GetValues<AllocationFamily>().Aggregate(default(HeapCounts), (total, family) => total + snapshot.For(family).Counts);
        Assert.Equal(sum, snapshot.Counts);
        Assert.Equal(snapshot.Counts, new HeapCounts(snapshot.LiveBlocks, snapshot.LiveBytes, snapshot.Allocations, snapshot.Frees, snapshot.MisuseCount));
        Assert.Equal(snapshot.For(AllocationFamily.Raw).Counts, snapshot.For(AllocationFamily.Raw).For(AllocationFamily.Raw).Counts);
        Assert.True(snapshot.For(AllocationFamily.Raw).LiveBytes >= 100);
        Assert.True(snapshot.For(AllocationFamily.Pool).LiveBytes >= 700);
    }

    [Fact]
    public void Snapshots_subtract_and_add_family_by_family()
    {
        HeapSnapshot before = HeapStats.Capture();
        void* raw = RawHeap.Malloc(100);
        void* pool = PoolHeap.Malloc(48);
        HeapSnapshot live = HeapStats.Capture();
        RawHeap.Free(raw);
        PoolHeap.Free(pool);
        HeapSnapshot after = HeapStats.Capture();

        HeapSnapshot gained = live - before;
        Assert.Equal((2, 148, 2, 0, 0), (gained.LiveBlocks, gained.LiveBytes, gained.Allocations, gained.Frees, gained.MisuseCount));
        Assert.Equal((1, 100), (gained.For(AllocationFamily.Raw).LiveBlocks, gained.For(AllocationFamily.Raw).LiveBytes));
        Assert.Equal((1, 48), (gained.For(AllocationFamily.Pool).LiveBlocks, gained.For(AllocationFamily.Pool).LiveBytes));
        Assert.Equal(0, gained.For(AllocationFamily.Unknown).Allocations);
        Assert.Equal(gained, gained.For(AllocationFamily.Raw) + gained.For(AllocationFamily.Pool) + gained.For(AllocationFamily.Unknown));
        Assert.Equal(live, before + gained);
        Assert.Equal(live, HeapSnapshot.Add(before, gained));
        Assert.Equal(gained, HeapSnapshot.Subtract(live, before));
        Assert.NotEqual(before, live);

        HeapSnapshot churn = after - before;
        Assert.Equal((0, 0, 2, 2), (churn.LiveBlocks, churn.LiveBytes, churn.Allocations, churn.Frees));
        Assert.Equal(-1, (after - live).For(AllocationFamily.Pool).LiveBlocks);
        Assert.Equal(-148, (after - live).LiveBytes);
    }

    [Fact]
    public void Equal_snapshots_hash_alike_and_differ_from_null()
    {
        RawHeap.Free(RawHeap.Malloc(1));
        HeapSnapshot snapshot = HeapStats.Capture();
        HeapSnapshot same = snapshot - snapshot + snapshot;

        Assert.NotSame(snapshot, same);
        Assert.True(snapshot.Equals(same));
        Assert.True(snapshot.Equals((object)same));
        Assert.Equal(snapshot.GetHashCode(), same.GetHashCode());
        Assert.False(snapshot.Equals(null));
        Assert.NotEqual(snapshot, snapshot - snapshot);
    }
}
