using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// <see cref="PoolHeap"/> follows PyMem on zero sizes (<c>PyMem_Malloc(0)</c> and <c>PyMem_Realloc(p, 0)</c> return a
/// valid non-null block), where <see cref="RawHeap"/> keeps C's (docs/heaps.md). Run under
/// <see cref="MisusePolicy.Throw"/>, so a double free would throw: the policy is process-wide, hence the collection.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class PyMemSemanticsTests
{
    [Fact]
    public void PoolHeap_realloc_to_zero_bytes_returns_a_valid_block_and_frees_nothing_as_PyMem_does()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        foreach (nuint size in (nuint[])[40, 3000])
        {
            void* block = PoolHeap.Malloc(size);
            TestHeap.Fill(block, size, seed: 6);

            void* empty = PoolHeap.Realloc(block, 0);
            Assert.True(empty != null, $"PoolHeap.Realloc(p of {size} B, 0) returned null.");

            // Ported CPython code: "if the realloc returned null it failed, so free the old block". Here it did not
            // fail, and freeing the result (never the old pointer) is the one correct free: under Throw a double free
            // would throw.
            void* grown = PoolHeap.Realloc(empty, 24);
            Assert.True(grown != null);
            TestHeap.Fill(grown, 24, seed: 7);
            Assert.Equal(-1, TestHeap.FirstMismatch(grown, 24, seed: 7));
            PoolHeap.Free(grown);
        }
    }

    [Fact]
    public void PoolHeap_zero_byte_requests_all_return_distinct_non_null_freeable_blocks()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        void* live = PoolHeap.Malloc(64);
        nint[] blocks =
        [
            (nint)PoolHeap.Malloc(0),
            (nint)PoolHeap.Calloc(0, 8),
            (nint)PoolHeap.Calloc(8, 0),
            (nint)PoolHeap.Calloc(0, 0),
            (nint)PoolHeap.Realloc(null, 0),
            (nint)PoolHeap.Realloc(live, 0),
        ];

        Assert.DoesNotContain(0, blocks);
        Assert.Equal(blocks.Length, blocks.Distinct().Count());
        foreach (nint block in blocks)
        {
            PoolHeap.Free((void*)block);
        }
    }
}
