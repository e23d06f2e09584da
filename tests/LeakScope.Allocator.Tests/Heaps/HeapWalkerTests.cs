using LeakScope.Allocator.Tests.Support;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tests.Heaps;

/// <summary>
/// The rundown's heap walker reads block headers while their owners change them. An in-place realloc renews a
/// block's id, size and site; a walker that reads the header during that update must skip the block, never report
/// the new id with the old size or site (or the reverse).
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class HeapWalkerTests
{
    private const int Reallocs = 300_000;

    [Fact]
    public void A_header_read_during_an_in_place_realloc_is_skipped_or_whole_never_torn()
    {
        // 33 and 48 B share a size class, so every realloc below stays in place and renews id, size and site.
        void* block = RawHeap.Malloc(33);
        var header = (BlockHeader*)block - 1;
        var written = new Dictionary<long, (int Size, int Site)> { [header->AllocationId] = (33, header->SiteId) };
        var observed = new List<(long Id, int Size, int Site)>();
        int done = 0;

        var walker = new Thread(() =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                if (HeapWalker.TryRead((nint)header, out LiveBlock live))
                {
                    observed.Add((live.AllocationId, (int)live.Size, live.SiteId));
                }
            }
        });
        walker.Start();
        try
        {
            for (int i = 0; i < Reallocs; i++)
            {
                block = i % 2 == 0 ? GrowTo48(block) : ShrinkTo33(block);
                written.Add(header->AllocationId, (header->Size, header->SiteId));
            }
        }
        finally
        {
            Volatile.Write(ref done, 1);
            Assert.True(walker.Join(TimeSpan.FromMinutes(2)), "the walker thread did not stop");
            RawHeap.Free(block);
        }

        Assert.NotEmpty(observed);
        foreach ((long id, int size, int site) in observed)
        {
            Assert.True(written.TryGetValue(id, out (int Size, int Site) expected), $"the walker reported id {id}, which the block never had");
            Assert.True(expected == (size, site), $"the walker reported id {id} with {size} B at site {site}; that id was written with {expected.Size} B at site {expected.Site} (a torn header)");
        }
    }

    [Fact]
    public void A_header_whose_fields_are_being_rewritten_is_skipped()
    {
        // What an in-place realloc's header looks like while it rewrites size and site: id 0 (never handed out). The
        // walker cannot tell a new id with the old size from a whole header, so the writer marks the rewrite first.
        void* block = RawHeap.Malloc(40);
        var header = (BlockHeader*)block - 1;
        long id = header->AllocationId;
        try
        {
            Assert.True(HeapWalker.TryRead((nint)header, out LiveBlock whole));
            Assert.Equal((id, 40), (whole.AllocationId, (int)whole.Size));

            header->AllocationId = 0;
            Assert.False(HeapWalker.TryRead((nint)header, out _));
        }
        finally
        {
            header->AllocationId = id;
            RawHeap.Free(block);
        }
    }

    [Fact]
    public void An_in_place_realloc_leaves_a_whole_header_with_the_new_id_size_and_site()
    {
        void* block = RawHeap.Malloc(33);
        var header = (BlockHeader*)block - 1;
        long before = header->AllocationId;
        block = GrowTo48(block);
        try
        {
            Assert.Equal((nint)(header + 1), (nint)block);
            Assert.True(HeapWalker.TryRead((nint)header, out LiveBlock live));
            Assert.NotEqual(before, live.AllocationId);
            Assert.Equal((header->AllocationId, 48, header->SiteId), (live.AllocationId, (int)live.Size, live.SiteId));
        }
        finally
        {
            RawHeap.Free(block);
        }
    }

    private static void* GrowTo48(void* block) => RawHeap.Realloc(block, 48);

    private static void* ShrinkTo33(void* block) => RawHeap.Realloc(block, 33);
}
