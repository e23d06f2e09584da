using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The one flag the hot path tests, and the slow path behind it: batching records, publishing
/// per-operation events, feeding in-process observers. <see cref="Active"/> is true while an event
/// session or listener has the source enabled, or an observer (a leak gate) is registered.
/// </summary>
internal static class Instrumentation
{
    private static readonly Lock s_lock = new();
    private static bool s_perOperation;
    private static bool s_batched;
    private static IBlockObserver[] s_observers = [];

    /// <summary>Batching, and nothing else to feed (no per-operation events, no observer): the record step inlines.</summary>
    private static bool s_batchedAlone;

    /// <summary>Read without a barrier on every operation; a stale read only delays the first published event.</summary>
    public static bool Active;

    /// <summary>True while the high-rate mode records batches (see <see cref="AllocatorEventSource.Keywords.Batched"/>).</summary>
    public static bool Batched => s_batched;

    /// <summary>Re-reads what the sessions ask for; returns true when batching has just been switched on.</summary>
    public static bool Refresh(AllocatorEventSource log)
    {
        lock (s_lock)
        {
            bool perOperation = log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Allocations);
            bool batched = !perOperation && log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Batched);
            bool batchingStarted = batched && !s_batched;
            if (!batched && s_batched)
            {
                BatchingSession.Shared.Stop();
            }

            s_perOperation = perOperation;
            s_batched = batched;
            s_batchedAlone = batched && s_observers.Length == 0;
            Active = log.IsEnabled() || s_observers.Length > 0;
            StackSampler.Refresh(log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Stacks));
            return batchingStarted;
        }
    }

    public static void AddObserver(IBlockObserver observer)
    {
        lock (s_lock)
        {
            s_observers = [.. s_observers, observer];
            s_batchedAlone = false;
            Active = true;
        }
    }

    public static void RemoveObserver(IBlockObserver observer)
    {
        lock (s_lock)
        {
            s_observers = s_observers.Where(o => !ReferenceEquals(o, observer)).ToArray();
            s_batchedAlone = s_batched && s_observers.Length == 0;
            Active = AllocatorEventSource.Log.IsEnabled() || s_observers.Length > 0;
        }
    }

    /// <summary>
    /// The record step of an allocation: the record, then the copy of the counters it accounts for, then the boundary
    /// (docs/reliability.md, "Detach"). One place for the inlined common case and the uncommon one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RecordAllocated(ThreadHeap heap, long id, nuint size, int siteId, AllocationFamily family)
    {
        BatchWriter writer = heap.BatchWriter;
        writer.Allocated(id, size, siteId, family);
        writer.CountedAllocation(family, heap.CountersFor(family));
        writer.EndOperation();
    }

    /// <summary>The record step of a free, as <see cref="RecordAllocated"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RecordFreed(ThreadHeap heap, long id, nuint size, int allocationSiteId, AllocationFamily family)
    {
        BatchWriter writer = heap.BatchWriter;
        bool sessionUnchanged = writer.Freed(id, size, allocationSiteId, family);
        writer.CountedFree(family, heap.CountersFor(family));

        // A fold that read the writer's signal unchanged in this step leaves the step's end nothing to act on.
        if (!sessionUnchanged)
        {
            writer.EndOperation();
        }
    }

    /// <summary>
    /// An allocation was made. The common traced case — batching, no observer, no per-operation events — is the record
    /// step alone and inlines into the heap's <c>Allocate</c> (and so into the caller's loop, as the free side does); the
    /// rest is <see cref="AllocatedUncommon"/>. perf on a traced loop put a fifth of the call's samples on its prologue,
    /// epilogue and the observers' stack frame (bench/README.md, traced, issues 12 and 15).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Allocated(ThreadHeap heap, long id, nint address, nuint size, int siteId, AllocationFamily family)
    {
        if (s_batchedAlone)
        {
            // The sampler's check first, while the heap and the site are still in registers (after the record step's
            // out-of-line calls the JIT reloaded both from the stack). The stack sample goes to the other session, which
            // the tracer matches to the allocation by id whatever the order.
            int stacks = StackSampler.Key;
            if (stacks != 0)
            {
                StackSampler.Allocated(heap, WireStackOperation.Allocate, id, size, siteId, stacks);
            }

            RecordAllocated(heap, id, size, siteId, family);
            return;
        }

        AllocatedUncommon(heap, id, address, size, siteId, family);
    }

    // Compiled optimized at once: left to tiering, the traced record path ran as Tier-0 code for a while under load, when
    // the background compiler was starved (bench/README.md, traced, third pass).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AllocatedUncommon(ThreadHeap heap, long id, nint address, nuint size, int siteId, AllocationFamily family)
    {
        if (s_batched)
        {
            RecordAllocated(heap, id, size, siteId, family);
        }
        else if (s_perOperation)
        {
            AllocatorEventSource.Log.BlockAllocated(id, address, size, siteId, family);
        }

        if (StackSampler.Mode != StackMode.None)
        {
            StackSampler.Allocated(heap, WireStackOperation.Allocate, id, size, siteId);
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

    /// <summary>
    /// A block was freed. <c>allocationSiteId</c> is where it was allocated (batches fold by it); <c>file</c>,
    /// <c>line</c> and <c>member</c> are the freeing call's site, looked up only for per-operation events.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Freed(ThreadHeap heap, long id, nint address, nuint size, AllocationFamily family, int allocationSiteId, string file, int line, string member)
    {
        if (s_batchedAlone)
        {
            RecordFreed(heap, id, size, allocationSiteId, family);
            return;
        }

        FreedUncommon(heap, id, address, size, family, allocationSiteId, file, line, member);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreedUncommon(ThreadHeap heap, long id, nint address, nuint size, AllocationFamily family, int allocationSiteId, string file, int line, string member)
    {
        if (s_batched)
        {
            RecordFreed(heap, id, size, allocationSiteId, family);
        }
        else if (s_perOperation)
        {
            AllocatorEventSource.Log.BlockFreed(id, address, size, heap.Sites.Lookup(file, line, member), family);
        }

        foreach (IBlockObserver observer in s_observers)
        {
            observer.OnFreed(id);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Reallocated(
        ThreadHeap heap,
        long oldId, nint oldAddress, nuint oldSize, AllocationFamily oldFamily,
        long newId, nint newAddress, nuint newSize, AllocationFamily newFamily, int siteId)
    {
        if (s_batched)
        {
            // A realloc may change two families (a mismatched one moves the block into the caller's): both copies, then the boundary.
            BatchWriter writer = heap.BatchWriter;
            writer.Reallocated(oldId, newId, newSize, siteId, newFamily);
            writer.Counted(oldFamily, heap.CountersFor(oldFamily));
            writer.Counted(newFamily, heap.CountersFor(newFamily));
            writer.EndOperation();
        }
        else if (s_perOperation)
        {
            AllocatorEventSource.Log.BlockReallocated(oldId, oldAddress, oldSize, oldFamily, newId, newAddress, newSize, newFamily, siteId);
        }

        if (StackSampler.Mode != StackMode.None)
        {
            StackSampler.Allocated(heap, WireStackOperation.Reallocate, newId, newSize, siteId);
        }

        IBlockObserver[] observers = s_observers;
        if (observers.Length > 0)
        {
            var block = new LiveBlock(newId, newAddress, newSize, siteId, newFamily);
            foreach (IBlockObserver observer in observers)
            {
                observer.OnReallocated(oldId, block);
            }
        }
    }
}
