using LeakScope.Allocator.Diagnostics;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests;

/// <summary>A session that attaches late learns the owners that already exist from the rundown.</summary>
[Collection(OwnedMemoryCollection.Name)]
public class OwnerRundownTests
{
    [Fact]
    public void Owners_alive_before_the_listener_attached_are_published_after_their_blocks_in_its_rundown()
    {
        using var array = new NativeArray<int>(10, AllocationFamily.Raw);
        using var buffer = new NativeBuffer<byte>(64);
        var disposed = new NativeArray<long>(4);
        OwnedBlock arrayStorage = ((IOwnedStorage)array).Storage;
        OwnedBlock bufferStorage = ((IOwnedStorage)buffer).Storage;
        long disposedOwner = ((IOwnedStorage)disposed).Storage.OwnerId;
        disposed.Dispose();

        using var recorder = new OwnerEventRecorder();
        recorder.WaitUntil(events => events.Any(e => e.Id == WireSchema.EventIds.RundownStop), "the rundown's end", TimeSpan.FromSeconds(10));

        IReadOnlyList<RecordedEvent> events = recorder.Events;
        int stop = events.ToList().FindIndex(e => e.Id == WireSchema.EventIds.RundownStop);
        foreach (OwnedBlock storage in new[] { arrayStorage, bufferStorage })
        {
            int created = events.ToList().FindIndex(e => e.Id == WireSchema.EventIds.OwnerCreated && e.Long("OwnerId") == storage.OwnerId);
            Assert.True(created >= 0 && created < stop, $"owner {storage.OwnerId} not in the rundown");
            Assert.Equal(storage.AllocationId, events[created].Long("AllocationId"));
            Assert.Equal(storage.SiteId, events[created].Long("SiteId"));

            // Its storage block came first, so a reader can resolve the owner's family and size at once.
            int block = events.ToList().FindIndex(e => e.Id == WireSchema.EventIds.RundownBlock && e.Long("AllocationId") == storage.AllocationId);
            Assert.True(block >= 0 && block < created, $"storage block of owner {storage.OwnerId} not published before it");
        }

        Assert.Empty(recorder.Where("OwnerId", disposedOwner, WireSchema.EventIds.OwnerCreated));
    }
}
