using System.Buffers;
using LeakScope.Allocator.Diagnostics;
using Ids = LeakScope.Wire.WireSchema.EventIds;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// The owner and view events as the tracer reads them: ids, payload fields in order, and the ids that tie owners,
/// views and storage blocks together.
/// </summary>
[Collection(OwnedMemoryCollection.Name)]
public class OwnerEventTests
{
    private static readonly int[] OwnerIds = [Ids.OwnerCreated, Ids.OwnerDisposed, Ids.OwnerFinalized];
    private static readonly int[] ViewIds = [Ids.ViewAcquired, Ids.ViewReleased, Ids.ResizeBlocked, Ids.ResizeBlockedView, Ids.ViewLeaked];

    [Fact]
    public void An_arrays_life_is_created_reallocated_disposed_freed_with_linked_ids()
    {
        using var events = new OwnerEventRecorder();
        int line = Sites.Line(); var array = new NativeArray<int>(4, AllocationFamily.Raw);
        int resizeLine = Sites.Line(); array.Resize(1_000);
        array.Dispose();
        long ownerId = array.OwnerId;

        IReadOnlyList<RecordedEvent> owner = events.Where("OwnerId", ownerId, OwnerIds);
        Assert.Equal(["OwnerCreated", "OwnerDisposed"], owner.Select(e => e.Name));

        RecordedEvent created = owner[0];
        Assert.Equal((long)OwnerKind.NativeArray, created.Long("OwnerKind"));
        Assert.Equal(line, Sites.Of(created.Long("SiteId")).Line);
        Assert.EndsWith(nameof(OwnerEventTests) + ".cs", Sites.Of(created.Long("SiteId")).File);

        // The storage is a normal block, allocated at the creation site...
        long firstBlock = created.Long("AllocationId");
        RecordedEvent allocated = Assert.Single(events.Where("AllocationId", firstBlock, WireSchema.EventIds.BlockAllocated));
        Assert.Equal(16, allocated.Long("Size"));
        Assert.Equal(created.Long("SiteId"), allocated.Long("SiteId"));
        Assert.Equal((long)AllocationFamily.Raw, allocated.Long("Family"));

        // ...reallocated at the resize site with a new allocation id...
        RecordedEvent moved = Assert.Single(events.Where("OldAllocationId", firstBlock, WireSchema.EventIds.BlockReallocated));
        Assert.Equal(resizeLine, Sites.Of(moved.Long("SiteId")).Line);
        Assert.Equal(4_000, moved.Long("NewSize"));
        long secondBlock = moved.Long("NewAllocationId");
        Assert.NotEqual(firstBlock, secondBlock);

        // ...and the disposed event names the current block, whose free follows.
        Assert.Equal(secondBlock, owner[1].Long("AllocationId"));
        Assert.Single(events.Where("AllocationId", secondBlock, WireSchema.EventIds.BlockFreed));
        Assert.NotEqual(ownerId, firstBlock);
    }

    [Fact]
    public void A_buffers_views_pins_and_strided_views_are_acquired_and_released_with_their_sites()
    {
        using var events = new OwnerEventRecorder();
        long ownerId;
        int viewLine, stridedLine;
        long viewId, stridedId;
        using (var buffer = new NativeBuffer<float>(6))
        {
            ownerId = buffer.OwnerId;
            viewLine = Sites.Line(); using (BufferView<float> view = buffer.AcquireView())
            {
                viewId = view.ViewId;
            }

            using (buffer.Memory.Pin())
            {
            }

            stridedLine = Sites.Line(); using (StridedView<float> strided = buffer.AcquireStridedView([2, 3]))
            {
                stridedId = strided.ViewId;
            }
        }

        IReadOnlyList<RecordedEvent> views = events.Where("OwnerId", ownerId, ViewIds);
        Assert.Equal(["ViewAcquired", "ViewReleased", "ViewAcquired", "ViewReleased", "ViewAcquired", "ViewReleased"], views.Select(e => e.Name));
        Assert.Equal([viewId, viewId], views.Take(2).Select(e => e.Long("ViewId")));
        Assert.Equal([stridedId, stridedId], views.Skip(4).Select(e => e.Long("ViewId")));
        Assert.Equal(views[2].Long("ViewId"), views[3].Long("ViewId"));
        Assert.Equal([(long)ViewKind.View, (long)ViewKind.View, (long)ViewKind.Pin, (long)ViewKind.Pin, (long)ViewKind.Strided, (long)ViewKind.Strided], views.Select(e => e.Long("ViewKind")));

        // Releases carry the acquiring site, like acquires.
        Assert.Equal([viewLine, viewLine], views.Take(2).Select(e => Sites.Of(e.Long("SiteId")).Line));
        Assert.Equal([stridedLine, stridedLine], views.Skip(4).Select(e => Sites.Of(e.Long("SiteId")).Line));
        Assert.Equal(NativeBuffer<float>.PinSiteFile, Sites.Of(views[2].Long("SiteId")).File);

        // View ids come from the allocation-id space, so they never collide with owners or blocks.
        Assert.Equal(3, new[] { viewId, stridedId, views[2].Long("ViewId") }.Distinct().Count());
        Assert.DoesNotContain(ownerId, new[] { viewId, stridedId });
        Assert.Equal(["OwnerCreated", "OwnerDisposed"], events.Where("OwnerId", ownerId, OwnerIds).Select(e => e.Name));
    }

    [Fact]
    public void A_blocked_resize_publishes_the_request_then_one_event_per_outstanding_view()
    {
        using var events = new OwnerEventRecorder();
        using var buffer = new NativeBuffer<byte>(8);
        int firstLine = Sites.Line(); BufferView<byte> first = buffer.AcquireView();
        MemoryHandle pin = buffer.Memory.Pin();
        int resizeLine = Sites.Line(); Assert.Throws<BufferBusyException>(() => buffer.Append([1, 2, 3]));
        first.Dispose();
        pin.Dispose();

        IReadOnlyList<RecordedEvent> blocked = events.Where("OwnerId", buffer.OwnerId, Ids.ResizeBlocked, Ids.ResizeBlockedView);
        Assert.Equal(["ResizeBlocked", "ResizeBlockedView", "ResizeBlockedView"], blocked.Select(e => e.Name));
        Assert.Equal(11, blocked[0].Long("RequestedLength"));
        Assert.Equal(2, blocked[0].Long("OutstandingViews"));
        Assert.Equal(resizeLine, Sites.Of(blocked[0].Long("SiteId")).Line);
        Assert.Equal(first.ViewId, blocked[1].Long("ViewId"));
        Assert.Equal(firstLine, Sites.Of(blocked[1].Long("AcquireSiteId")).Line);
        Assert.Equal(NativeBuffer<byte>.PinSiteFile, Sites.Of(blocked[2].Long("AcquireSiteId")).File);
        Assert.Empty(events.Where("AllocationId", buffer.OwnerId, WireSchema.EventIds.Misuse));
    }

    [Fact]
    public void Dispose_with_views_publishes_a_misuse_carrying_the_owner_id_and_the_free_waits_for_the_view()
    {
        using var policy = MisusePolicyOverride.Use(MisusePolicy.Report);
        using var events = new OwnerEventRecorder();
        int line = Sites.Line(); var buffer = new NativeBuffer<int>(2, AllocationFamily.Raw);
        BufferView<int> view = buffer.AcquireView();
        buffer.Dispose();
        long storage = events.Where("OwnerId", buffer.OwnerId, Ids.OwnerCreated).Single().Long("AllocationId");
        Assert.Empty(events.Where("AllocationId", storage, WireSchema.EventIds.BlockFreed));
        view.Dispose();

        RecordedEvent misuse = Assert.Single(events.Where("AllocationId", buffer.OwnerId, WireSchema.EventIds.Misuse));
        Assert.Equal((long)MisuseKind.DisposeWithViews, misuse.Long("Kind"));
        Assert.Equal((long)AllocationFamily.Raw, misuse.Long("BlockFamily"));
        Assert.Equal(8, misuse.Long("Size"));
        Assert.Equal(line, Sites.Of(misuse.Long("AllocationSiteId")).Line);
        Assert.Equal(["OwnerCreated", "OwnerDisposed"], events.Where("OwnerId", buffer.OwnerId, OwnerIds).Select(e => e.Name));
        Assert.Single(events.Where("AllocationId", storage, WireSchema.EventIds.BlockFreed));
    }

    [Fact]
    public void The_owner_and_view_events_keep_their_ids_fields_and_versions()
    {
        using var events = new OwnerEventRecorder();
        using (var buffer = new NativeBuffer<int>(2))
        {
            BufferView<int> view = buffer.AcquireView();
            Assert.Throws<BufferBusyException>(() => buffer.Resize(3));
            view.Dispose();
        }

        EmitFinalizedEvents(events);

        var expected = new Dictionary<int, string[]>
        {
            [20] = ["ViewId", "OwnerId", "SiteId", "ViewKind"],
            [21] = ["ViewId", "OwnerId", "SiteId", "ViewKind"],
            [22] = ["OwnerId", "SiteId", "RequestedLength", "OutstandingViews"],
            [23] = ["OwnerId", "ViewId", "AcquireSiteId"],
            [24] = ["ViewId", "OwnerId", "SiteId", "ViewKind"],
            [25] = ["OwnerId", "OwnerKind", "SiteId", "AllocationId"],
            [26] = ["OwnerId", "OwnerKind", "SiteId", "AllocationId"],
            [27] = ["OwnerId", "OwnerKind", "SiteId", "AllocationId", "Bytes", "Family"],
        };
        IReadOnlyList<RecordedEvent> all = events.Events;
        foreach ((int id, string[] fields) in expected)
        {
            RecordedEvent sample = all.First(e => e.Id == id);
            Assert.Equal(fields, sample.PayloadNames);
            Assert.Equal(1, sample.Version);
        }

        Assert.DoesNotContain(all, e => e.Id == 0);
    }

    private static void EmitFinalizedEvents(OwnerEventRecorder events)
    {
        var (ownerId, _) = Abandon();
        Finalization.CollectUntil(
            () => events.Events.Any(e => e.Id == Ids.ViewLeaked) && events.Where("OwnerId", ownerId, Ids.OwnerFinalized).Count == 1,
            "a ViewLeaked and an OwnerFinalized event");

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static (long, long) Abandon()
        {
            var buffer = new NativeBuffer<int>(3);
            BufferView<int> view = buffer.AcquireView();
            return (buffer.OwnerId, view.ViewId);
        }
    }
}
