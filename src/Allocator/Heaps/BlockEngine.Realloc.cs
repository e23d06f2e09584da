using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator.Heaps;

internal static unsafe partial class BlockEngine
{
    /// <summary>
    /// <c>realloc</c>: null allocates; on failure null is returned and the old block stays valid. Size 0 depends on
    /// the family called: <see cref="RawHeap"/> keeps C (glibc) semantics — the block is freed and null returned —
    /// while <see cref="PoolHeap"/> follows <c>PyMem_Realloc</c>, which resizes to a valid non-null block of 0 bytes
    /// (so ported CPython code that treats null as failure does not free the block twice). A successful realloc
    /// retires the old allocation id and gives the block a new one, sited at the realloc call — the tracer sees one
    /// event for both.
    /// </summary>
    public static void* Reallocate(AllocationFamily caller, void* pointer, nuint size, string file, int line, string member)
    {
        if (pointer == null)
        {
            return Allocate(caller, size, zero: false, file, line, member);
        }

        nint user = (nint)pointer;
        BlockRecord old = Locate(user, ArenaMap.Find(user));
        switch (old.State)
        {
            case BlockRecordState.Live when old.Family == caller:
                break;

            case BlockRecordState.Live:
                // Wrong family: under Report the block moves into the caller's family, so the free the
                // caller will eventually make with its own family is then correct.
                if (!MisuseReporter.Report(MisuseKind.MismatchedFree, caller, old, file, line, member))
                {
                    return null;
                }

                break;

            case BlockRecordState.Freed:
                MisuseReporter.Report(MisuseKind.ReallocOfFreed, caller, old, file, line, member);
                return null;

            default:
                MisuseReporter.Report(MisuseKind.InvalidRealloc, caller, old, file, line, member);
                return null;
        }

        ThreadHeap heap = ThreadHeap.Current;
        if (size == 0 && caller != AllocationFamily.Pool)
        {
            ReleaseOrReportRace(heap, caller, old, file, line, member);
            return null;
        }

        int siteId = heap.Sites.Lookup(file, line, member);
        if (old.Header != null && old.Family == caller && size <= SizeClasses.MaxSmallSize
            && SizeClasses.IndexOf(size) == SizeClasses.IndexOf(old.Size))
        {
            return ResizeInPlace(heap, old, size, siteId);
        }

        void* moved = AllocateUnpublished(heap, caller, size, zero: false, siteId, out long newId);
        if (moved == null)
        {
            return null;
        }

        Buffer.MemoryCopy(pointer, moved, size, Math.Min(size, old.Size));
        if (!ReleaseLocated(heap, old))
        {
            // Another thread freed the block while it was being copied: that free won; this realloc is of a freed block.
            ReleaseUnpublished(heap, moved, caller);
            MisuseReporter.Report(MisuseKind.ReallocOfFreed, caller, old, file, line, member);
            return null;
        }

        if (Instrumentation.Active)
        {
            Instrumentation.Reallocated(heap, old.AllocationId, old.Address, old.Size, old.Family, newId, (nint)moved, size, caller, siteId);
        }

        return moved;
    }

    /// <summary>Gives back a block from <see cref="AllocateUnpublished"/> that is not handed out after all.</summary>
    private static void ReleaseUnpublished(ThreadHeap heap, void* user, AllocationFamily family)
    {
        nint address = (nint)user;
        Arena? arena = ArenaMap.Find(address);
        BlockHeader* header = arena is null ? null : arena.TryGetHeader(address);
        if (header != null && TryClaim(header, family))
        {
            arena!.MarkChanged(address);
            ReleaseSmall(heap, header, family);
        }
        else
        {
            LargeBlocks.Release(heap, address);
        }

        // Neither half was published: take the allocation and the free back out of the counters.
        ref FamilyCounters counters = ref heap.CountersFor(family);
        counters.Allocations--;
        counters.Frees--;
    }

    /// <summary>The new size fits the block's size class: keep the address, renew the id.</summary>
    private static void* ResizeInPlace(ThreadHeap heap, in BlockRecord old, nuint size, int siteId)
    {
        BlockHeader* header = old.Header;
        long newId = heap.NextAllocationId();

        // A rundown may be reading this header (HeapWalker.TryRead). Id 0 is never handed out: it marks the fields as
        // being rewritten (the exchange is a full fence, so it is visible before any of them changes), and the new id
        // is published last, with release semantics. A walker that read the id before and after its copy and saw the
        // same non-zero id both times copied one consistent header.
        Interlocked.Exchange(ref header->AllocationId, 0);
        ArenaMap.Find(old.Address)!.MarkChanged(old.Address); // after the fence: SiteWalk re-counts the pool
        header->Size = (ushort)size;
        header->SiteId = siteId;
        Volatile.Write(ref header->AllocationId, newId);

        ref FamilyCounters counters = ref heap.CountersFor(old.Family);
        counters.LiveBytes += (long)size - (long)old.Size;
        counters.Allocations++;
        counters.Frees++;

        if (Instrumentation.Active)
        {
            Instrumentation.Reallocated(heap, old.AllocationId, old.Address, old.Size, old.Family, newId, old.Address, size, old.Family, siteId);
        }

        return header + 1;
    }
}
