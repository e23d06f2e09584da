using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// The machinery behind <see cref="RawHeap"/> and <see cref="PoolHeap"/>: both families share it and
/// differ only in the family tag written into each block (and checked on free). Small requests are
/// served from per-thread caches over the size-class pools; larger ones go to the system allocator.
/// The hot path writes the header and the thread's counters and tests one flag; everything that
/// publishes, formats or looks up lives behind that flag.
/// </summary>
internal static unsafe partial class BlockEngine
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Allocate(AllocationFamily family, nuint size, bool zero, string file, int line, string member)
    {
        ThreadHeap heap = ThreadHeap.Current;
        int siteId = SiteCache.Find(file, line, member);
        void* user = AllocateUnpublished(heap, family, size, zero, siteId, out long id);
        if (Instrumentation.Active && user != null)
        {
            Instrumentation.Allocated(heap, id, (nint)user, size, siteId, family);
        }

        return user;
    }

    public static void* AllocateArray(AllocationFamily family, nuint count, nuint size, string file, int line, string member)
    {
        // calloc's multiplication is checked: an overflowing request is refused, never wrapped.
        if (size != 0 && count > nuint.MaxValue / size)
        {
            return null;
        }

        return Allocate(family, count * size, zero: true, file, line, member);
    }

    /// <summary>Allocates and accounts a block without publishing it (realloc publishes one event for both halves).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void* AllocateUnpublished(ThreadHeap heap, AllocationFamily family, nuint size, bool zero, int siteId, out long id)
    {
        if (size > SizeClasses.MaxSmallSize)
        {
            return LargeBlocks.Allocate(heap, family, size, zero, siteId, out id);
        }

        int slot = FamilySlots.PoolSlot(family, SizeClasses.IndexOf(size));
        ref CacheBin bin = ref heap.Bin(slot);
        nint block = bin.Head;
        if (block != 0)
        {
            bin.Head = FreeList.Next(block);
            bin.Count--;
        }
        else
        {
            block = RefillAndTake(ref bin, slot);
        }

        var header = (BlockHeader*)block;
        id = heap.NextAllocationId();
        header->AllocationId = id;
        BlockHeader.PublishLive(header, siteId, (ushort)size, (byte)family);

        ref FamilyCounters counters = ref heap.CountersFor(family);
        counters.LiveBytes += (long)size;
        counters.Allocations++;

        void* user = header + 1;
        if (zero)
        {
            NativeMemory.Clear(user, size);
        }

        return user;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint RefillAndTake(ref CacheBin bin, int slot)
    {
        nint head = SmallBlockPools.For(slot).Take(SmallBlockPools.RefillBatch, out int taken);
        bin.Head = FreeList.Next(head);
        bin.Count = taken - 1;
        return head;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(AllocationFamily caller, void* pointer, string file, int line, string member)
    {
        if (pointer == null)
        {
            return;
        }

        nint user = (nint)pointer;
        Arena? arena = ArenaMap.Find(user);
        if (arena is not null)
        {
            BlockHeader* header = arena.TryGetHeader(user);
            if (header != null && TryClaim(header, caller))
            {
                arena.MarkChanged(user);
                FreeSmall(ThreadHeap.Current, header, caller, file, line, member);
                return;
            }
        }

        // A free that lost the claim to another thread's free of the same block lands here and finds it Freed.
        FreeUncommon(caller, user, arena, file, line, member);
    }

    /// <summary>
    /// Moves a small block of <paramref name="family"/> from Live to Freed with one compare-exchange (as Scudo checks a
    /// chunk's state): of two threads freeing (or reallocating) one block at once exactly one wins; the other then reads
    /// Freed and reports a double free, so a block can never be pushed onto two free lists. The exchange covers the
    /// header's family and state bytes together, so the same instruction checks the family: a free by the wrong family,
    /// of a block not live, or one that lost the race, fails it and goes to <see cref="FreeUncommon"/>, with no load
    /// and compare of either byte in front of it on the hot path. Every claim uses this width, never a byte of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryClaim(BlockHeader* header, AllocationFamily family)
    {
        ushort live = BlockHeader.FamilyAndState((byte)family, BlockState.Live);
        return Interlocked.CompareExchange(ref *(ushort*)&header->Family, BlockHeader.FamilyAndState((byte)family, BlockState.Freed), live) == live;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FreeSmall(ThreadHeap heap, BlockHeader* header, AllocationFamily family, string file, int line, string member)
    {
        long id = header->AllocationId;
        nuint size = header->Size;
        int siteId = header->SiteId;
        ReleaseSmall(heap, header, family);
        if (Instrumentation.Active)
        {
            Instrumentation.Freed(heap, id, (nint)(header + 1), size, family, siteId, file, line, member);
        }
    }

    /// <summary>Accounts a small block this thread has claimed (<see cref="TryClaim"/>) and caches it on this thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReleaseSmall(ThreadHeap heap, BlockHeader* header, AllocationFamily family)
    {
        nuint size = header->Size;

        ref FamilyCounters counters = ref heap.CountersFor(family);
        counters.LiveBytes -= (long)size;
        counters.Frees++;

        int slot = FamilySlots.PoolSlot(family, SizeClasses.IndexOf(size));
        nint block = (nint)header;
        ref CacheBin bin = ref heap.Bin(slot);
        FreeList.SetNext(block, bin.Head);
        bin.Head = block;
        if (++bin.Count > ThreadHeap.MaxCachedBlocks)
        {
            SpillHalf(ref bin, slot);
        }
    }

    /// <summary>Keeps the hottest half of an overfull cache and hands the rest back to the shared pool.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SpillHalf(ref CacheBin bin, int slot)
    {
        int keep = ThreadHeap.MaxCachedBlocks / 2;
        nint last = bin.Head;
        for (int i = 1; i < keep; i++)
        {
            last = FreeList.Next(last);
        }

        nint spilled = FreeList.Next(last);
        FreeList.SetNext(last, 0);
        SmallBlockPools.ReturnList(slot, spilled, bin.Count - keep);
        bin.Count = keep;
    }

    /// <summary>Everything a free can meet besides a live small block of the right family.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreeUncommon(AllocationFamily caller, nint user, Arena? arena, string file, int line, string member)
    {
        ThreadHeap heap = ThreadHeap.Current;
        BlockRecord block = Locate(user, arena);
        switch (block.State)
        {
            case BlockRecordState.Live when block.Family == caller:
                ReleaseOrReportRace(heap, caller, block, file, line, member);
                return;

            case BlockRecordState.Live:
                // Wrong family. Under Report the block is freed by the family that owns it, so the heap
                // stays consistent and the block is not leaked; the misuse event says what happened.
                if (MisuseReporter.Report(MisuseKind.MismatchedFree, caller, block, file, line, member))
                {
                    ReleaseOrReportRace(heap, caller, block, file, line, member);
                }

                return;

            case BlockRecordState.Freed:
                MisuseReporter.Report(MisuseKind.DoubleFree, caller, block, file, line, member);
                return;

            default:
                MisuseReporter.Report(MisuseKind.InvalidFree, caller, block, file, line, member);
                return;
        }
    }

    /// <summary>Frees a block found live; when another thread freed it in between, that free won and this one is a double free.</summary>
    private static void ReleaseOrReportRace(ThreadHeap heap, AllocationFamily caller, in BlockRecord block, string file, int line, string member)
    {
        if (ReleaseLocated(heap, block))
        {
            PublishFreed(heap, block, file, line, member);
        }
        else
        {
            MisuseReporter.Report(MisuseKind.DoubleFree, caller, block, file, line, member);
        }
    }

    private static void PublishFreed(ThreadHeap heap, in BlockRecord block, string file, int line, string member)
    {
        if (Instrumentation.Active)
        {
            Instrumentation.Freed(heap, block.AllocationId, block.Address, block.Size, block.Family, block.SiteId, file, line, member);
        }
    }

    /// <summary>
    /// Frees a block that <see cref="Locate"/> found live; accounts it to its own family. False when another thread
    /// freed it first (the claim or the large registry's removal decides): nothing is changed then.
    /// </summary>
    private static bool ReleaseLocated(ThreadHeap heap, in BlockRecord block)
    {
        if (block.Header != null)
        {
            // The header may have been reused since Locate read it: only the same allocation may be claimed.
            if (Volatile.Read(ref block.Header->AllocationId) != block.AllocationId || !TryClaim(block.Header, block.Family))
            {
                return false;
            }

            ArenaMap.Find(block.Address)!.MarkChanged(block.Address);
            ReleaseSmall(heap, block.Header, block.Family);
            return true;
        }

        return LargeBlocks.Release(heap, block.Address);
    }

    /// <summary>Finds what the allocator knows about a pointer, reading only memory it owns.</summary>
    private static BlockRecord Locate(nint user, Arena? arena)
    {
        if (arena is not null)
        {
            BlockHeader* header = arena.TryGetHeader(user);
            if (header is null)
            {
                // A slot of a pool whose pages went back to the system was freed before: its id and site are gone.
                // Otherwise: inside an arena but not the start of a slot, an interior or stray pointer.
                return arena.IsReleasedSlot(user)
                    ? new BlockRecord(BlockRecordState.Freed, 0, user, 0, 0, AllocationFamily.Unknown, null)
                    : new BlockRecord(BlockRecordState.Unknown, 0, user, 0, 0, AllocationFamily.Unknown, null);
            }

            BlockRecordState state = header->State switch
            {
                BlockState.Live => BlockRecordState.Live,
                BlockState.Freed => BlockRecordState.Freed,
                _ => BlockRecordState.Unknown,
            };
            return state == BlockRecordState.Unknown
                ? new BlockRecord(state, 0, user, 0, 0, (AllocationFamily)header->Family, null)
                : new BlockRecord(state, header->AllocationId, user, header->Size, header->SiteId, (AllocationFamily)header->Family, header);
        }

        if (LargeBlocks.TryGetLive(user, out LargeBlock large))
        {
            return new BlockRecord(BlockRecordState.Live, large.AllocationId, user, large.Size, large.SiteId, large.Family, null);
        }

        if (LargeBlocks.TryGetRecentlyFreed(user, out large))
        {
            return new BlockRecord(BlockRecordState.Freed, large.AllocationId, user, large.Size, large.SiteId, large.Family, null);
        }

        return new BlockRecord(BlockRecordState.Unknown, 0, user, 0, 0, AllocationFamily.Unknown, null);
    }
}
