using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests;

[Collection(OwnedMemoryCollection.Name)]
public class NativeArrayTests
{
    [Fact]
    public void A_new_array_is_zeroed_by_default_and_in_the_pool_family()
    {
        using var gate = LeakGate.Begin();
        using (var array = new NativeArray<long>(5))
        {
            Assert.Equal(5, array.Length);
            Assert.Equal(5, array.Capacity);
            Assert.Equal(AllocationFamily.Pool, array.Family);
            Assert.All(array.AsSpan().ToArray(), v => Assert.Equal(0, v));
            Assert.Equal(1, gate.LiveBlocks);
            Assert.Equal(40, gate.LiveBytes);
        }

        gate.AssertNoLeaks();
    }

    [Theory]
    [InlineData(AllocationFamily.Raw)]
    [InlineData(AllocationFamily.Pool)]
    public void Either_family_allocates_and_frees_its_own_blocks(AllocationFamily family)
    {
        using var gate = LeakGate.Begin();
        long misuse = HeapStats.Capture().MisuseCount;
        using (var array = new NativeArray<int>(1_000, family, zeroed: false))
        {
            Assert.Equal(family, array.Family);
            Assert.Equal(family, Assert.Single(gate.GetLeaks()).Family);
            array.AsSpan().Fill(7);
            array.Resize(10);
            Assert.Equal(7, array[9]);
        }

        gate.AssertNoLeaks();
        Assert.Equal(misuse, HeapStats.Capture().MisuseCount);
    }

    [Fact]
    public void The_constructor_rejects_a_negative_length_and_a_family_that_owns_no_blocks()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeArray<int>(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NativeArray<int>(1, AllocationFamily.Unknown));
    }

    [Fact]
    public void The_indexer_reads_and_writes_by_reference_and_checks_bounds()
    {
        using var array = new NativeArray<int>(3);
        array[0] = 10;
        ref int second = ref array[1];
        second = 20;
        array[2]++;
        Assert.Equal([10, 20, 1], array.AsSpan().ToArray());
        Assert.Throws<IndexOutOfRangeException>(() => array[3]);
        Assert.Throws<IndexOutOfRangeException>(() => array[-1]);
    }

    [Fact]
    public void Resize_keeps_the_prefix_zeroes_added_elements_and_sets_the_capacity_exactly()
    {
        using var gate = LeakGate.Begin();
        using (var array = new NativeArray<int>(3))
        {
            array.AsSpan().Fill(9);
            array.Resize(6);
            Assert.Equal([9, 9, 9, 0, 0, 0], array.AsSpan().ToArray());
            Assert.Equal(6, array.Capacity);

            array.Resize(2);
            Assert.Equal([9, 9], array.AsSpan().ToArray());
            Assert.Equal(2, array.Capacity);

            array.Resize(0);
            Assert.Equal(0, array.Length);
            Assert.True(array.AsSpan().IsEmpty);

            array.Resize(2);
            Assert.Equal([0, 0], array.AsSpan().ToArray());
            Assert.Equal(1, gate.LiveBlocks);
        }

        gate.AssertNoLeaks();
    }

    [Fact]
    public void An_unzeroed_array_grows_without_clearing()
    {
        using var array = new NativeArray<byte>(16, AllocationFamily.Pool, zeroed: false);
        array.AsSpan().Fill(0xAB);
        array.ResizeSmart(5);
        Assert.Equal(16, array.Capacity);
        array.ResizeSmart(10);

        // Still inside the capacity and never cleared: the old bytes are there, as in cpython.array.
        Assert.Equal(0xAB, array[9]);
    }

    [Fact]
    public void ResizeSmart_over_allocates_by_half_and_keeps_the_storage_for_small_changes()
    {
        using var array = new NativeArray<int>(0);
        array.ResizeSmart(10);
        Assert.Equal(10, array.Length);
        Assert.Equal(16, array.Capacity); // 10 + 10 / 2 + 1

        int reallocations = 0;
        int capacity = array.Capacity;
        for (int n = 11; n <= 1_000; n++)
        {
            array.ResizeSmart(n);
            array[n - 1] = n;
            if (array.Capacity != capacity)
            {
                reallocations++;
                capacity = array.Capacity;
            }
        }

        Assert.InRange(reallocations, 1, 15);
        Assert.Equal(1_000, array[999]);

        // Shrinking to above a quarter of the capacity keeps the storage; below a quarter it is reallocated.
        capacity = array.Capacity;
        array.ResizeSmart((capacity / 4) + 1);
        Assert.Equal(capacity, array.Capacity);
        array.ResizeSmart(capacity / 8);
        Assert.Equal((capacity / 8) + (capacity / 16) + 1, array.Capacity);
    }

    [Fact]
    public void ResizeSmart_zeroes_elements_that_come_back_into_use()
    {
        using var array = new NativeArray<int>(8);
        array.AsSpan().Fill(5);
        array.ResizeSmart(4);
        array.ResizeSmart(8);
        Assert.Equal([5, 5, 5, 5, 0, 0, 0, 0], array.AsSpan().ToArray());
    }

    [Fact]
    public void Clone_makes_a_new_array_of_the_templates_family_zeroed_on_request()
    {
        using var gate = LeakGate.Begin();
        using (var template = new NativeArray<short>(4, AllocationFamily.Raw))
        {
            template.AsSpan().Fill(3);
            using NativeArray<short> clone = NativeArray<short>.Clone(template, 7, zero: true);
            Assert.Equal(7, clone.Length);
            Assert.Equal(AllocationFamily.Raw, clone.Family);
            Assert.All(clone.AsSpan().ToArray(), v => Assert.Equal(0, v));
            Assert.NotEqual(template.OwnerId, clone.OwnerId);

            using NativeArray<short> unzeroed = NativeArray<short>.Clone(template, 2, zero: false);
            Assert.Equal(2, unzeroed.Length);
        }

        gate.AssertNoLeaks();
    }

    [Fact]
    public void Copy_duplicates_the_elements_into_independent_storage()
    {
        using var original = new NativeArray<double>(3, AllocationFamily.Raw);
        original[0] = 1.5;
        original[2] = -2;
        using NativeArray<double> copy = original.Copy();
        copy[0] = 99;
        Assert.Equal([1.5, 0, -2], original.AsSpan().ToArray());
        Assert.Equal([99, 0, -2], copy.AsSpan().ToArray());
        Assert.Equal(AllocationFamily.Raw, copy.Family);
    }

    [Fact]
    public void Extend_appends_another_array_or_itself()
    {
        using var a = new NativeArray<int>(2);
        using var b = new NativeArray<int>(3);
        a[0] = 1;
        a[1] = 2;
        b.AsSpan().Fill(7);
        a.Extend(b);
        Assert.Equal([1, 2, 7, 7, 7], a.AsSpan().ToArray());
        a.Extend(a);
        Assert.Equal([1, 2, 7, 7, 7, 1, 2, 7, 7, 7], a.AsSpan().ToArray());
        Assert.Equal([7, 7, 7], b.AsSpan().ToArray());
    }

    [Fact]
    public void ExtendBuffer_appends_a_span_even_one_over_the_arrays_own_storage()
    {
        using var array = new NativeArray<int>(0);
        array.ExtendBuffer([1, 2, 3]);
        Assert.Equal([1, 2, 3], array.AsSpan().ToArray());

        // The span points into the array; growing moves the storage, and the source must be read from its new place.
        for (int i = 0; i < 6; i++)
        {
            array.ExtendBuffer(array.AsSpan());
        }

        Assert.Equal(3 * 64, array.Length);
        for (int i = 0; i < array.Length; i++)
        {
            Assert.Equal((i % 3) + 1, array[i]);
        }

        array.ExtendBuffer(ReadOnlySpan<int>.Empty);
        Assert.Equal(3 * 64, array.Length);
    }

    [Fact]
    public void Zero_clears_every_element()
    {
        using var array = new NativeArray<ulong>(33, AllocationFamily.Pool, zeroed: false);
        array.AsSpan().Fill(ulong.MaxValue);
        array.Zero();
        Assert.All(array.AsSpan().ToArray(), v => Assert.Equal(0UL, v));
    }

    [Fact]
    public void Dispose_frees_once_and_later_use_throws()
    {
        using var gate = LeakGate.Begin();
        var array = new NativeArray<int>(4);
        array.Dispose();
        array.Dispose();
        gate.AssertNoLeaks();

        Assert.True(array.IsDisposed);
        Assert.Equal(0, array.Length);
        Assert.Throws<ObjectDisposedException>(() => array.AsSpan());
        Assert.Throws<ObjectDisposedException>(() => array[0]);
        Assert.Throws<ObjectDisposedException>(() => array.Resize(2));
        Assert.Throws<ObjectDisposedException>(() => array.ResizeSmart(2));
        Assert.Throws<ObjectDisposedException>(() => array.Copy());
        Assert.Throws<ObjectDisposedException>(() => array.ExtendBuffer([1]));
        Assert.Throws<ObjectDisposedException>(() => array.Zero());
        Assert.Throws<ObjectDisposedException>(() => NativeArray<int>.Clone(array, 1, zero: true));
        using var other = new NativeArray<int>(1);
        Assert.Throws<ObjectDisposedException>(() => other.Extend(array));
    }

    [Fact]
    public void An_array_never_disposed_is_freed_by_its_finalizer_and_reported_as_finalized()
    {
        using var events = new OwnerEventRecorder();
        (long ownerId, int line) = AbandonArray();

        Finalization.CollectUntil(
            () => events.Where("OwnerId", ownerId, WireSchema.EventIds.OwnerFinalized).Count == 1,
            "the abandoned array's OwnerFinalized event");

        RecordedEvent finalized = events.Where("OwnerId", ownerId, WireSchema.EventIds.OwnerFinalized).Single();
        Assert.Equal((long)OwnerKind.NativeArray, finalized.Long("OwnerKind"));
        Assert.Equal(line, Sites.Of(finalized.Long("SiteId")).Line);
        Assert.Equal(96, finalized.Long("Bytes"));
        Assert.Equal((long)AllocationFamily.Raw, finalized.Long("Family"));

        // The free event follows, for the block the finalized event named.
        long allocationId = finalized.Long("AllocationId");
        Assert.Single(events.Where("AllocationId", allocationId, WireSchema.EventIds.BlockFreed));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long OwnerId, int Line) AbandonArray()
    {
        int line = Sites.Line(); var array = new NativeArray<double>(12, AllocationFamily.Raw);
        array[0] = 1;
        return (array.OwnerId, line);
    }
}
