using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.MisuseTarget;
using LeakScope.Allocator.Tests.Support;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// What an in-process <see cref="System.Diagnostics.Tracing.EventListener"/> sees: one event per
/// operation carrying the block's allocation id, address, size, family and the site of the call, and
/// each site defined once with its file, line and member. Events are picked out by the sites and ids
/// this test produced.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class AllocatorEventSourceTests
{
    public static TheoryData<string> Scenarios => Misuse.MisuseCases.All;

    [Fact]
    public void Each_operation_publishes_its_event_with_the_block_id_and_the_site_of_the_call()
    {
        const string Member = nameof(Each_operation_publishes_its_event_with_the_block_id_and_the_site_of_the_call);
        using var recorder = new AllocatorEventRecorder();

        void* raw = RawHeap.Malloc(40); int mallocLine = Here.Line();
        void* pool = PoolHeap.Calloc(3, 200); int callocLine = Here.Line();
        void* inPlace = RawHeap.Realloc(raw, 48); int inPlaceLine = Here.Line();
        void* moved = PoolHeap.Realloc(pool, 5000); int movedLine = Here.Line();
        void* fresh = RawHeap.Realloc(null, 8); int freshLine = Here.Line();
        RawHeap.Realloc(fresh, 0); int zeroLine = Here.Line();
        RawHeap.Free(inPlace); int rawFreeLine = Here.Line();
        PoolHeap.Free(moved); int poolFreeLine = Here.Line();

        int Site(int line)
        {
            SiteEvent site = Assert.Single(recorder.Sites.Values, s => s.File == Here.File() && s.Line == line);
            Assert.Equal(Member, site.Member);
            return site.SiteId;
        }

        BlockEvent malloc = Assert.Single(recorder.Allocated, e => e.SiteId == Site(mallocLine));
        Assert.Equal(new BlockEvent(malloc.EventId, malloc.AllocationId, (nint)raw, 40, malloc.SiteId, AllocationFamily.Raw), malloc);

        BlockEvent calloc = Assert.Single(recorder.Allocated, e => e.SiteId == Site(callocLine));
        Assert.Equal(((nint)pool, 600L, AllocationFamily.Pool), (calloc.Address, calloc.Size, calloc.Family));

        ReallocEvent grownInPlace = Assert.Single(recorder.Reallocated, e => e.SiteId == Site(inPlaceLine));
        Assert.Equal(
            new ReallocEvent(malloc.AllocationId, (nint)raw, 40, AllocationFamily.Raw, grownInPlace.NewAllocationId, (nint)raw, 48, AllocationFamily.Raw, grownInPlace.SiteId),
            grownInPlace);
        Assert.True(inPlace == raw);

        ReallocEvent grownMoved = Assert.Single(recorder.Reallocated, e => e.SiteId == Site(movedLine));
        Assert.Equal(
            new ReallocEvent(calloc.AllocationId, (nint)pool, 600, AllocationFamily.Pool, grownMoved.NewAllocationId, (nint)moved, 5000, AllocationFamily.Pool, grownMoved.SiteId),
            grownMoved);

        BlockEvent allocatedByRealloc = Assert.Single(recorder.Allocated, e => e.SiteId == Site(freshLine));
        Assert.Equal(((nint)fresh, 8L, AllocationFamily.Raw), (allocatedByRealloc.Address, allocatedByRealloc.Size, allocatedByRealloc.Family));

        BlockEvent freedByRealloc = Assert.Single(recorder.Freed, e => e.SiteId == Site(zeroLine));
        Assert.Equal((allocatedByRealloc.AllocationId, (nint)fresh, 8L), (freedByRealloc.AllocationId, freedByRealloc.Address, freedByRealloc.Size));

        BlockEvent rawFree = Assert.Single(recorder.Freed, e => e.SiteId == Site(rawFreeLine));
        Assert.Equal(new BlockEvent(rawFree.EventId, grownInPlace.NewAllocationId, (nint)raw, 48, rawFree.SiteId, AllocationFamily.Raw), rawFree);

        BlockEvent poolFree = Assert.Single(recorder.Freed, e => e.SiteId == Site(poolFreeLine));
        Assert.Equal(new BlockEvent(poolFree.EventId, grownMoved.NewAllocationId, (nint)moved, 5000, poolFree.SiteId, AllocationFamily.Pool), poolFree);
    }

    [Fact]
    public void A_site_is_defined_once_however_often_it_allocates()
    {
        using var recorder = new AllocatorEventRecorder();
        recorder.WaitForRundown(); // so the site below is first seen after the rundown, not in it

        int line = 0;
        for (int i = 0; i < 100; i++)
        {
            PoolHeap.Free(PoolHeap.Malloc(64)); line = Here.Line();
        }

        SiteEvent site = Assert.Single(
            recorder.WithId(WireSchema.EventIds.SiteDefined).Select(e => e.ToSite()),
            s => s.File == Here.File() && s.Line == line);
        Assert.Equal(nameof(A_site_is_defined_once_however_often_it_allocates), site.Member);
        Assert.Equal(100, recorder.Allocated.Count(e => e.SiteId == site.SiteId));
        Assert.Equal(100, recorder.Freed.Count(e => e.SiteId == site.SiteId));
    }

    [Fact]
    public void Every_block_gets_a_new_id_even_when_its_address_is_reused()
    {
        using var recorder = new AllocatorEventRecorder();
        var addresses = new List<nint>();

        for (int i = 0; i < 300; i++)
        {
            void* small = RawHeap.Malloc(64);
            void* large = PoolHeap.Malloc(3000);
            void* resized = RawHeap.Realloc(small, 60); // in place: same address, new id
            addresses.Add((nint)resized);
            RawHeap.Free(resized);
            PoolHeap.Free(large);
        }

        // Ids the test's own sites received (this method is the only member with these sites).
        var mine = recorder.Sites.Values.Where(s => s.Member == nameof(Every_block_gets_a_new_id_even_when_its_address_is_reused)).Select(s => s.SiteId).ToHashSet();
        var allocated = recorder.Allocated.Where(e => mine.Contains(e.SiteId)).ToList();
        var reallocated = recorder.Reallocated.Where(e => mine.Contains(e.SiteId)).ToList();
        var ids = allocated.Select(e => e.AllocationId).Concat(reallocated.Select(e => e.NewAllocationId)).ToList();

        Assert.Equal(900, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.DoesNotContain(0L, ids);
        Assert.True(addresses.Distinct().Count() < addresses.Count, "The small block's address was expected to be reused.");

        var freedIds = recorder.Freed.Where(e => mine.Contains(e.SiteId)).Select(e => e.AllocationId).ToHashSet();
        var liveAtEnd = allocated.Select(e => e.AllocationId).Except(reallocated.Select(e => e.OldAllocationId)).Concat(reallocated.Select(e => e.NewAllocationId));
        Assert.Equal(liveAtEnd.Order(), freedIds.Order());
    }

    [Fact]
    public void Ids_are_unique_across_threads()
    {
        const string Member = nameof(Ids_are_unique_across_threads);
        using var recorder = new AllocatorEventRecorder();

        var threads = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 5000; i++)
            {
                PoolHeap.Free(PoolHeap.Malloc(32));
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));

        int site = Assert.Single(recorder.Sites.Values, s => s.Member == Member).SiteId;
        var ids = recorder.Allocated.Where(e => e.SiteId == site).Select(e => e.AllocationId).ToList();
        Assert.Equal(15_000, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void A_misuse_is_published_with_the_block_it_concerns_and_both_sites(string name)
    {
        MisuseScenario scenario = MisuseScenarios.Get(name);
        using var recorder = new AllocatorEventRecorder();
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        recorder.WaitForRundown(); // defines every site interned before this test

        Victim victim = scenario.Arrange();
        bool concernsBlock = scenario.BlockFamily != AllocationFamily.Unknown; // not an interior or foreign pointer
        long victimId = concernsBlock ? recorder.IdOfBlockAt(victim.Block) : 0;
        BlockEvent? victimAllocation = concernsBlock ? recorder.Allocated.Single(e => e.AllocationId == victimId) : null;
        nint result = scenario.Misuse(victim);
        scenario.CleanUpAfterReport(victim, result);

        MisuseEvent misuse = Assert.Single(recorder.Misuses);
        Assert.Equal(scenario.Kind, misuse.Kind);
        Assert.Equal(scenario.BlockFamily, misuse.BlockFamily);
        Assert.Equal(scenario.CallerFamily, misuse.CallerFamily);
        Assert.Equal(victimId, misuse.AllocationId);
        SiteEvent offending = recorder.SiteOf(misuse.SiteId);
        Assert.Equal(scenario.MisuseMember, offending.Member);
        Assert.Equal(nameof(MisuseScenarios) + ".cs", Path.GetFileName(offending.File));
        if (victimAllocation is { } allocation)
        {
            Assert.Equal(victim.Block, misuse.Address);
            Assert.Equal(allocation.Size, misuse.Size);
            Assert.Equal(allocation.SiteId, misuse.AllocationSiteId);
        }
        else
        {
            Assert.Equal(0, misuse.AllocationSiteId);
        }
    }

    [Fact]
    public void A_reported_mismatched_free_is_followed_by_the_free_of_the_block_in_its_own_family()
    {
        using var recorder = new AllocatorEventRecorder();
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        void* block = RawHeap.Malloc(72);
        long id = recorder.IdOfBlockAt((nint)block);

        PoolHeap.Free(block);

        Assert.Equal(id, Assert.Single(recorder.Misuses).AllocationId);
        BlockEvent freed = Assert.Single(recorder.Freed, e => e.AllocationId == id);
        Assert.Equal(AllocationFamily.Raw, freed.Family);
    }

    [Fact]
    public void A_reported_mismatched_realloc_is_one_realloc_event_from_the_old_family_to_the_new()
    {
        using var recorder = new AllocatorEventRecorder();
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        void* block = PoolHeap.Malloc(72);
        long id = recorder.IdOfBlockAt((nint)block);

        void* moved = RawHeap.Realloc(block, 80);

        Assert.Equal(id, Assert.Single(recorder.Misuses).AllocationId);
        ReallocEvent realloc = Assert.Single(recorder.Reallocated, e => e.OldAllocationId == id);
        Assert.Equal((AllocationFamily.Pool, AllocationFamily.Raw, (nint)moved, 80L), (realloc.OldFamily, realloc.NewFamily, realloc.NewAddress, realloc.NewSize));
        RawHeap.Free(moved);
    }

    [Fact]
    public void Under_throw_the_misuse_event_is_published_before_the_exception()
    {
        using var recorder = new AllocatorEventRecorder();
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        void* block = RawHeap.Malloc(72);
        RawHeap.Free(block);
        long id = recorder.IdOfBlockAt((nint)block);

        Assert.Throws<AllocatorMisuseException>(() => RawHeap.Free(block));

        MisuseEvent misuse = Assert.Single(recorder.Misuses);
        Assert.Equal((MisuseKind.DoubleFree, id), (misuse.Kind, misuse.AllocationId));
    }

    [Fact]
    public void Nothing_is_published_once_the_listener_is_gone()
    {
        var recorder = new AllocatorEventRecorder();
        recorder.Dispose();
        int before = recorder.Events.Count;

        RawHeap.Free(RawHeap.Malloc(16));

        Assert.Equal(before, recorder.Events.Count);
        Assert.False(Instrumentation.Active, "The hot path still publishes after the only listener left.");
    }
}
