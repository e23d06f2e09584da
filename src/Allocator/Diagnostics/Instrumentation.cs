using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The one flag the hot path tests, and the slow path behind it: publishing events and feeding
/// in-process observers. <see cref="Active"/> is true while an event session or listener has the
/// source enabled, or an observer (a leak gate) is registered.
/// </summary>
internal static class Instrumentation
{
    private static readonly Lock s_lock = new();
    private static bool s_eventsEnabled;
    private static IBlockObserver[] s_observers = [];

    /// <summary>Read without a barrier on every operation; a stale read only delays the first published event.</summary>
    public static bool Active;

    public static void SetEventsEnabled(bool enabled)
    {
        lock (s_lock)
        {
            s_eventsEnabled = enabled;
            Active = s_eventsEnabled || s_observers.Length > 0;
        }
    }

    public static void AddObserver(IBlockObserver observer)
    {
        lock (s_lock)
        {
            s_observers = [.. s_observers, observer];
            Active = true;
        }
    }

    public static void RemoveObserver(IBlockObserver observer)
    {
        lock (s_lock)
        {
            s_observers = s_observers.Where(o => !ReferenceEquals(o, observer)).ToArray();
            Active = s_eventsEnabled || s_observers.Length > 0;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // the slow path: keep it out of every caller's hot loop
    public static void Allocated(long id, nint address, nuint size, int siteId, AllocationFamily family)
    {
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Allocations))
        {
            log.BlockAllocated(id, address, size, siteId, family);
        }

        IBlockObserver[] observers = s_observers;
        if (observers.Length > 0)
        {
            var block = new LiveBlock(id, address, size, siteId, family);
            foreach (IBlockObserver observer in observers)
            {
                observer.OnAllocated(block);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Freed(long id, nint address, nuint size, AllocationFamily family, int siteId)
    {
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Allocations))
        {
            log.BlockFreed(id, address, size, siteId, family);
        }

        foreach (IBlockObserver observer in s_observers)
        {
            observer.OnFreed(id);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Reallocated(
        long oldId, nint oldAddress, nuint oldSize, AllocationFamily oldFamily,
        long newId, nint newAddress, nuint newSize, AllocationFamily newFamily, int siteId)
    {
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Allocations))
        {
            log.BlockReallocated(oldId, oldAddress, oldSize, oldFamily, newId, newAddress, newSize, newFamily, siteId);
        }

        IBlockObserver[] observers = s_observers;
        if (observers.Length > 0)
        {
            var block = new LiveBlock(newId, newAddress, newSize, siteId, newFamily);
            foreach (IBlockObserver observer in observers)
            {
                observer.OnFreed(oldId);
                observer.OnAllocated(block);
            }
        }
    }
}
