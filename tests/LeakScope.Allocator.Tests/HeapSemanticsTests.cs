using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// The C semantics that <see cref="RawHeap"/> and <see cref="PoolHeap"/> share: what a C programmer
/// may rely on from malloc, calloc, realloc and free. These tests read no process-wide counts, so they
/// run in parallel with everything else; the exact accounting is in <see cref="HeapStatsTests"/>.
/// </summary>
public unsafe class HeapSemanticsTests
{
    /// <summary>Empty, tiny, class boundaries either side of the 512-byte pool limit, and large.</summary>
    private static readonly nuint[] Sizes = [0, 1, 15, 16, 17, 511, 512, 513, 4096, 1 << 20];

    public static TheoryData<AllocationFamily> Families => TestHeap.Families;

    [Theory]
    [MemberData(nameof(Families))]
    public void Malloc_returns_distinct_16_byte_aligned_blocks_that_hold_their_whole_size(AllocationFamily family)
    {
        var blocks = new List<nint>();
        try
        {
            // Fill every block before checking any, so overlapping blocks would show.
            for (int i = 0; i < Sizes.Length; i++)
            {
                void* block = TestHeap.Malloc(family, Sizes[i]);
                Assert.True(block != null, $"Malloc({Sizes[i]}) returned null.");
                Assert.Equal(0, (nint)block % 16);
                TestHeap.Fill(block, Sizes[i], seed: i);
                blocks.Add((nint)block);
            }

            Assert.Equal(blocks.Count, blocks.Distinct().Count());
            for (int i = 0; i < Sizes.Length; i++)
            {
                Assert.Equal(-1, TestHeap.FirstMismatch((void*)blocks[i], Sizes[i], seed: i));
            }
        }
        finally
        {
            blocks.ForEach(b => TestHeap.Free(family, (void*)b));
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Malloc_of_zero_bytes_returns_a_unique_pointer_each_time(AllocationFamily family)
    {
        void* first = TestHeap.Malloc(family, 0);
        void* second = TestHeap.Malloc(family, 0);

        Assert.True(first != null && second != null);
        Assert.True(first != second);

        TestHeap.Free(family, first);
        TestHeap.Free(family, second);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Malloc_of_an_impossible_size_returns_null(AllocationFamily family)
    {
        Assert.True(TestHeap.Malloc(family, nuint.MaxValue) == null);
        Assert.True(TestHeap.Malloc(family, nuint.MaxValue - 4096) == null);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Calloc_returns_zeroed_memory_even_where_a_dirty_block_was_just_freed(AllocationFamily family)
    {
        (nuint Count, nuint Size)[] requests = [(4, 16), (1, 512), (3, 171), (1024, 1024)];
        foreach ((nuint count, nuint size) in requests)
        {
            nuint bytes = count * size;

            // A freed block of the same size is what the heap hands out next: make it dirty first.
            var dirty = (byte*)TestHeap.Malloc(family, bytes);
            new Span<byte>(dirty, (int)bytes).Fill(0xCD);
            TestHeap.Free(family, dirty);

            var zeroed = (byte*)TestHeap.Calloc(family, count, size);
            Assert.True(zeroed != null, $"Calloc({count}, {size}) returned null.");
            Assert.Equal(0, (nint)zeroed % 16);
            Assert.True(new ReadOnlySpan<byte>(zeroed, (int)bytes).IndexOfAnyExcept((byte)0) < 0, $"Calloc({count}, {size}) is not all zero.");
            TestHeap.Free(family, zeroed);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Calloc_refuses_a_count_times_size_that_overflows(AllocationFamily family)
    {
        Assert.True(TestHeap.Calloc(family, nuint.MaxValue, 2) == null);
        Assert.True(TestHeap.Calloc(family, 2, (nuint.MaxValue / 2) + 1) == null);
        Assert.True(TestHeap.Calloc(family, (nuint)1 << 33, (nuint)1 << 33) == null);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Calloc_of_zero_elements_or_zero_size_returns_a_freeable_block(AllocationFamily family)
    {
        void* noElements = TestHeap.Calloc(family, 0, nuint.MaxValue);
        void* noSize = TestHeap.Calloc(family, 16, 0);

        Assert.True(noElements != null && noSize != null);
        TestHeap.Free(family, noElements);
        TestHeap.Free(family, noSize);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Realloc_growing_through_every_kind_of_block_keeps_the_content(AllocationFamily family)
    {
        nuint[] steps = [1, 16, 17, 100, 512, 513, 5000, 1 << 20];
        void* block = TestHeap.Malloc(family, steps[0]);
        TestHeap.Fill(block, steps[0], seed: 1);
        for (int i = 1; i < steps.Length; i++)
        {
            void* grown = TestHeap.Realloc(family, block, steps[i]);
            Assert.True(grown != null, $"Realloc to {steps[i]} returned null.");
            Assert.Equal(0, (nint)grown % 16);
            Assert.Equal(-1, TestHeap.FirstMismatch(grown, steps[i - 1], seed: 1));

            // Make the new tail part of the pattern too, so the next step checks every byte.
            TestHeap.Fill(grown, steps[i], seed: 1);
            block = grown;
        }

        TestHeap.Free(family, block);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Realloc_shrinking_keeps_the_prefix(AllocationFamily family)
    {
        nuint[] steps = [1 << 20, 600, 512, 64, 1];
        void* block = TestHeap.Malloc(family, steps[0]);
        TestHeap.Fill(block, steps[0], seed: 2);
        for (int i = 1; i < steps.Length; i++)
        {
            void* shrunk = TestHeap.Realloc(family, block, steps[i]);
            Assert.True(shrunk != null, $"Realloc to {steps[i]} returned null.");
            Assert.Equal(-1, TestHeap.FirstMismatch(shrunk, steps[i], seed: 2));
            block = shrunk;
        }

        TestHeap.Free(family, block);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Realloc_within_the_same_size_class_keeps_the_address(AllocationFamily family)
    {
        void* block = TestHeap.Malloc(family, 20);
        TestHeap.Fill(block, 20, seed: 3);

        void* grown = TestHeap.Realloc(family, block, 32);
        Assert.True(grown == block);
        Assert.Equal(-1, TestHeap.FirstMismatch(grown, 20, seed: 3));

        void* shrunk = TestHeap.Realloc(family, grown, 17);
        Assert.True(shrunk == block);
        Assert.Equal(-1, TestHeap.FirstMismatch(shrunk, 17, seed: 3));

        TestHeap.Free(family, shrunk);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Realloc_of_null_allocates(AllocationFamily family)
    {
        void* small = TestHeap.Realloc(family, null, 40);
        void* large = TestHeap.Realloc(family, null, 3000);

        Assert.True(small != null && large != null);
        TestHeap.Fill(small, 40, seed: 4);
        TestHeap.Fill(large, 3000, seed: 5);
        Assert.Equal(-1, TestHeap.FirstMismatch(small, 40, seed: 4));
        TestHeap.Free(family, small);
        TestHeap.Free(family, large);
    }

    [Fact]
    public void RawHeap_realloc_to_zero_bytes_frees_the_block_and_returns_null_as_glibc_does()
    {
        void* small = RawHeap.Malloc(40);
        void* large = RawHeap.Malloc(3000);

        Assert.True(RawHeap.Realloc(small, 0) == null);
        Assert.True(RawHeap.Realloc(large, 0) == null);

        // The small block went back to this thread's cache: the next block of its class is that one.
        void* again = RawHeap.Malloc(40);
        Assert.True(again == small);
        RawHeap.Free(again);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_failed_realloc_returns_null_and_leaves_the_block_valid(AllocationFamily family)
    {
        void* block = TestHeap.Malloc(family, 64);
        TestHeap.Fill(block, 64, seed: 6);

        Assert.True(TestHeap.Realloc(family, block, nuint.MaxValue - 4096) == null);

        Assert.Equal(-1, TestHeap.FirstMismatch(block, 64, seed: 6));
        void* grown = TestHeap.Realloc(family, block, 128);
        Assert.True(grown != null);
        Assert.Equal(-1, TestHeap.FirstMismatch(grown, 64, seed: 6));
        TestHeap.Free(family, grown);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Free_of_null_does_nothing(AllocationFamily family)
    {
        TestHeap.Free(family, null);
    }

    [Fact]
    public void The_families_never_hand_out_the_same_block()
    {
        var raw = new List<nint>();
        var pool = new List<nint>();
        for (int i = 0; i < 200; i++)
        {
            raw.Add((nint)RawHeap.Malloc(48));
            pool.Add((nint)PoolHeap.Malloc(48));
        }

        Assert.Empty(raw.Intersect(pool));
        raw.ForEach(p => RawHeap.Free((void*)p));
        pool.ForEach(p => PoolHeap.Free((void*)p));
    }
}
