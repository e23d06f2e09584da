using System.Collections.Concurrent;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator;

/// <summary>
/// The owners alive now, so that a session attaching late learns them too: the rundown publishes an
/// <c>OwnerCreated</c> for each, after the blocks, and the tracer can then name the family and size of a buffer that
/// blocks a resize, or whose view leaks, although it was created before the attach. Weak references: the registry
/// never keeps an undisposed owner from its finalizer. Registering costs a dictionary insert per owner, which is
/// small beside the owner's own allocation.
/// </summary>
internal static class OwnerRegistry
{
    private static readonly ConcurrentDictionary<long, (WeakReference<IOwnedStorage> Owner, long Ticket)> s_live = new();
    private static long s_tickets;

    /// <summary>
    /// Taken by an owner before it checks whether to publish its <c>OwnerCreated</c>, and by a session's enable: an
    /// owner with a later ticket than the enable saw the session and published itself, so the rundown skips it.
    /// </summary>
    public static long NextTicket() => Interlocked.Increment(ref s_tickets);

    public static void Add(long ownerId, long ticket, IOwnedStorage owner) => s_live[ownerId] = (new WeakReference<IOwnedStorage>(owner), ticket);

    public static void Remove(long ownerId) => s_live.TryRemove(ownerId, out _);

    /// <summary>
    /// Publishes <c>OwnerCreated</c> for every live owner created before the enable that took
    /// <paramref name="enableTicket"/> (the rundown's last part); returns how many.
    /// </summary>
    public static long PublishRundown(AllocatorEventSource log, long enableTicket)
    {
        long count = 0;
        foreach (KeyValuePair<long, (WeakReference<IOwnedStorage> Owner, long Ticket)> entry in s_live)
        {
            if (entry.Value.Ticket > enableTicket)
            {
                continue;
            }

            if (entry.Value.Owner.TryGetTarget(out IOwnedStorage? owner))
            {
                OwnedBlock storage = owner.Storage;
                if (!storage.IsFreed)
                {
                    log.OwnerCreated(storage.OwnerId, storage.Kind, storage.SiteId, storage.AllocationId);
                    count++;
                }
            }
            else
            {
                s_live.TryRemove(entry.Key, out _);
            }
        }

        return count;
    }
}
