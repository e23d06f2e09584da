using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// A listener that attaches late still learns every block that is already live: enabling the source
/// makes the allocator publish each one as a RundownBlock, with its id, size, family and site, between
/// RundownStart and RundownStop — so the later free of an old block is not an unknown free.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class RundownTests
{
    [Fact]
    public void Blocks_live_before_the_listener_attached_are_published_with_their_ids_sizes_and_sites()
    {
        const string Member = nameof(Blocks_live_before_the_listener_attached_are_published_with_their_ids_sizes_and_sites);
        void* rawSmall = RawHeap.Malloc(40); int rawSmallLine = Here.Line();
        void* poolEmpty = PoolHeap.Malloc(0); int poolEmptyLine = Here.Line();
        void* rawLarge = RawHeap.Calloc(4, 500); int rawLargeLine = Here.Line();
        void* poolLarge = PoolHeap.Malloc(1 << 20); int poolLargeLine = Here.Line();
        void* gone = PoolHeap.Malloc(40);
        PoolHeap.Free(gone);
        var expected = new (nint Address, long Size, AllocationFamily Family, int Line)[]
        {
            ((nint)rawSmall, 40, AllocationFamily.Raw, rawSmallLine),
            ((nint)poolEmpty, 0, AllocationFamily.Pool, poolEmptyLine),
            ((nint)rawLarge, 2000, AllocationFamily.Raw, rawLargeLine),
            ((nint)poolLarge, 1 << 20, AllocationFamily.Pool, poolLargeLine),
        };
        HeapSnapshot quiet = HeapStats.Capture();

        using var recorder = new AllocatorEventRecorder();
        RundownCapture rundown = recorder.WaitForRundown();

        var sites = rundown.Sites.ToDictionary(s => s.SiteId);
        var published = new List<BlockEvent>();
        foreach ((nint address, long size, AllocationFamily family, int line) in expected)
        {
            BlockEvent block = Assert.Single(rundown.Blocks, b => b.Address == address);
            Assert.Equal((size, family), (block.Size, block.Family));
            Assert.True(sites.TryGetValue(block.SiteId, out SiteEvent site), $"The rundown did not define site {block.SiteId}.");
            Assert.Equal(new SiteEvent(block.SiteId, Here.File(), line, Member), site);
            published.Add(block);
        }

        Assert.DoesNotContain(rundown.Blocks, b => b.Address == (nint)gone && b.Family == AllocationFamily.Pool && b.Size == 40);
        Assert.Equal(published.Count, published.Select(b => b.AllocationId).Distinct().Count());
        Assert.Equal(rundown.Blocks.Count, rundown.Blocks.Select(b => b.AllocationId).Distinct().Count());

        // The stop event totals what was published, and that is every live block of the heap.
        Assert.Equal(rundown.Blocks.Count, rundown.StopBlocks);
        Assert.Equal(rundown.Blocks.Sum(b => b.Size), rundown.StopBytes);
        Assert.Equal(quiet.LiveBlocks, rundown.StopBlocks);
        Assert.Equal(quiet.LiveBytes, rundown.StopBytes);

        // Freeing the old blocks now publishes frees of the very ids the rundown announced.
        RawHeap.Free(rawSmall);
        PoolHeap.Free(poolEmpty);
        RawHeap.Free(rawLarge);
        PoolHeap.Free(poolLarge);
        foreach (BlockEvent block in published)
        {
            BlockEvent freed = Assert.Single(recorder.Freed, f => f.AllocationId == block.AllocationId);
            Assert.Equal((block.Address, block.Size, block.Family), (freed.Address, freed.Size, freed.Family));
        }
    }

    [Fact]
    public void Each_listener_that_enables_the_source_gets_its_own_rundown()
    {
        void* block = RawHeap.Malloc(24);

        long first;
        using (var recorder = new AllocatorEventRecorder())
        {
            RundownCapture rundown = recorder.WaitForRundown();
            Assert.Contains(rundown.Blocks, b => b.Address == (nint)block);
            first = rundown.Generation;
        }

        using (var recorder = new AllocatorEventRecorder())
        {
            RundownCapture rundown = recorder.WaitForRundown();
            Assert.Contains(rundown.Blocks, b => b.Address == (nint)block);
            Assert.True(rundown.Generation > first);
        }

        RawHeap.Free(block);
    }
}
