using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tracked;

/// <summary>
/// The machinery behind <see cref="TrackedNativeMemory"/> and <see cref="TrackedMarshal"/>: the real system call, then
/// the block's record in <see cref="TrackedBlocks"/>, the thread's counters and — behind the one
/// <see cref="Instrumentation.Active"/> flag — the same events and observers as the LeakScope heaps.
/// A free is checked against the record: the wrong family is a mismatched free (under <c>Report</c> the block is then
/// freed by its own family's function); a second free is a double free and never reaches the system; an address never
/// seen is passed to the system untouched and is not a finding.
/// </summary>
internal static class TrackedHeap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Track<TSite>(AllocationFamily family, nint address, nuint size, TSite site)
        where TSite : struct, ICallerSite
    {
        if (address == 0)
        {
            return 0;
        }

        TrackedThread thread = TrackedThread.Current;
        ThreadHeap heap = thread.Heap;
        int siteId = site.Id;
        long id = heap.NextAllocationId();
        thread.Insert(address, id, size, siteId, family);

        ref FamilyCounters counters = ref heap.CountersFor(family);
        counters.LiveBytes += (long)size;
        counters.Allocations++;
        if (Instrumentation.Active)
        {
            Instrumentation.Allocated(heap, id, address, size, siteId, family);
        }

        return address;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free<TSite>(AllocationFamily caller, nint address, TSite site)
        where TSite : struct, ICallerSite
    {
        if (address == 0)
        {
            return;
        }

        TrackedThread thread = TrackedThread.Current;
        if (thread.TryFreeOwn(address, caller, out nuint size, out nint evicted, out AllocationFamily evictedFamily))
        {
            // The fast path matched the caller's family, a constant here: the counters are at a fixed offset.
            ThreadHeap heap = thread.Heap;
            ref FamilyCounters counters = ref heap.CountersFor(caller);
            counters.LiveBytes -= (long)size;
            counters.Frees++;
            if (Instrumentation.Active)
            {
                Publish(heap, address, thread.LastFreed(), site);
            }

            SystemBlocks.FreeEvicted(evictedFamily, evicted);
            return;
        }

        FreeUncommon(caller, address, site);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreeUncommon<TSite>(AllocationFamily caller, nint address, TSite site)
        where TSite : struct, ICallerSite
    {
        switch (TrackedBlocks.Find(address, out TrackedBlock block))
        {
            case TrackedState.Live:
                // Wrong family (or a racing free of the right one). Under Report the block is freed by the function of
                // the family that allocated it, so the heap stays consistent on every platform.
                if (block.Family != caller && !Report(MisuseKind.MismatchedFree, caller, address, block, site))
                {
                    return;
                }

                if (TrackedBlocks.TryQuarantine(address, AllocationFamily.Unknown, block.AllocationId, out block))
                {
                    Released(ThreadHeap.Current, address, block, site);
                }
                else
                {
                    Report(MisuseKind.DoubleFree, caller, address, block, site);
                }

                return;

            case TrackedState.Quarantined:
                // Still held back, so nobody else can have been given this address: a double free, not passed on.
                Report(MisuseKind.DoubleFree, caller, address, block, site);
                return;

            default:
                // Allocated by the runtime or native code (or freed long ago): not ours to judge.
                SystemBlocks.Free(caller, address);
                return;
        }
    }

    /// <summary>
    /// <c>realloc</c> through <paramref name="caller"/>: null allocates; a tracked block of the caller's family is resized
    /// by the system and gets a new id sited at this call; a block of another family is a mismatched free, and under
    /// <c>Report</c> is moved into the caller's family (allocated, copied, freed by its own family); a quarantined block
    /// is a realloc of a freed block and returns 0; an unknown address is passed through, untracked.
    /// </summary>
    public static nint Reallocate<TSite>(AllocationFamily caller, nint address, nuint size, nuint alignment, TSite site)
        where TSite : struct, ICallerSite
    {
        if (address == 0)
        {
            return Track(caller, SystemBlocks.Reallocate(caller, 0, size, alignment), size, site);
        }

        TrackedState state = TrackedBlocks.Find(address, out TrackedBlock old);
        switch (state)
        {
            case TrackedState.Live when old.Family == caller:
                return ResizeOwn(caller, address, old, size, alignment, site);

            case TrackedState.Live:
                return Report(MisuseKind.MismatchedFree, caller, address, old, site)
                    ? MoveInto(caller, address, old, size, alignment, site)
                    : 0;

            case TrackedState.Quarantined:
                Report(MisuseKind.ReallocOfFreed, caller, address, old, site);
                return 0;

            default:
                return SystemBlocks.Reallocate(caller, address, size, alignment);
        }
    }

    /// <summary>Stops tracking a live block for good (handed to native code that will free it): published as its free.</summary>
    public static bool Forget<TSite>(nint address, TSite site)
        where TSite : struct, ICallerSite
    {
        if (address == 0 || !TrackedBlocks.TryTake(address, 0, out TrackedBlock block))
        {
            return false;
        }

        Released(ThreadHeap.Current, address, block, site);
        return true;
    }

    private static nint ResizeOwn<TSite>(AllocationFamily caller, nint address, in TrackedBlock old, nuint size, nuint alignment, TSite site)
        where TSite : struct, ICallerSite
    {
        if (!TrackedBlocks.TryTake(address, old.AllocationId, out TrackedBlock taken))
        {
            Report(MisuseKind.ReallocOfFreed, caller, address, old, site);
            return 0;
        }

        nint moved;
        try
        {
            moved = SystemBlocks.Reallocate(caller, address, size, alignment);
        }
        catch
        {
            // A failed realloc leaves the old block valid: so does its record.
            TrackedBlocks.Add(address, taken);
            throw;
        }

        if (moved == 0)
        {
            if (size == 0)
            {
                // realloc(p, 0) freed the block (glibc).
                Released(ThreadHeap.Current, address, taken, site);
            }
            else
            {
                TrackedBlocks.Add(address, taken);
            }

            return 0;
        }

        Renew(address, taken, moved, size, caller, site);
        return moved;
    }

    private static nint MoveInto<TSite>(AllocationFamily caller, nint address, in TrackedBlock old, nuint size, nuint alignment, TSite site)
        where TSite : struct, ICallerSite
    {
        nint moved = SystemBlocks.Allocate(caller, size, alignment, zero: false);
        if (!TrackedBlocks.TryQuarantine(address, AllocationFamily.Unknown, old.AllocationId, out TrackedBlock taken))
        {
            SystemBlocks.Free(caller, moved);
            Report(MisuseKind.ReallocOfFreed, caller, address, old, site);
            return 0;
        }

        unsafe
        {
            Buffer.MemoryCopy((void*)address, (void*)moved, size, Math.Min(size, taken.Size));
        }

        Renew(address, taken, moved, size, caller, site);
        return moved;
    }

    /// <summary>The old allocation ends and a new one begins at the realloc call: one event for both.</summary>
    private static void Renew<TSite>(nint oldAddress, in TrackedBlock old, nint address, nuint size, AllocationFamily family, TSite site)
        where TSite : struct, ICallerSite
    {
        ThreadHeap heap = ThreadHeap.Current;
        int siteId = site.Id;
        long id = heap.NextAllocationId();
        TrackedBlocks.Add(address, new TrackedBlock(id, size, siteId, family));

        ref FamilyCounters oldCounters = ref heap.CountersFor(old.Family);
        oldCounters.LiveBytes -= (long)old.Size;
        oldCounters.Frees++;
        ref FamilyCounters counters = ref heap.CountersFor(family);
        counters.LiveBytes += (long)size;
        counters.Allocations++;
        if (Instrumentation.Active)
        {
            Instrumentation.Reallocated(heap, old.AllocationId, oldAddress, old.Size, old.Family, id, address, size, family, siteId);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Released<TSite>(ThreadHeap heap, nint address, in TrackedBlock block, TSite site)
        where TSite : struct, ICallerSite
    {
        ref FamilyCounters counters = ref heap.CountersFor(block.Family);
        counters.LiveBytes -= (long)block.Size;
        counters.Frees++;
        if (Instrumentation.Active)
        {
            Publish(heap, address, block, site);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Publish<TSite>(ThreadHeap heap, nint address, in TrackedBlock block, TSite site)
        where TSite : struct, ICallerSite
    {
        SiteInfo free = site.Info;
        Instrumentation.Freed(heap, block.AllocationId, address, block.Size, block.Family, block.SiteId, free.File, free.Line, free.Member);
    }

    private static bool Report<TSite>(MisuseKind kind, AllocationFamily caller, nint address, in TrackedBlock block, TSite site)
        where TSite : struct, ICallerSite
    {
        int siteId = site.Id;
        return MisuseReporter.Report(kind, block.Family, caller, block.AllocationId, address, block.Size, block.SiteId, siteId);
    }
}
