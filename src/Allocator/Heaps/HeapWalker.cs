namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Enumerates every live block: the carved slots of every arena whose header says Live, then the large
/// block registry, then the tracked system blocks. Runs concurrently with allocation; a slot is reported only when its header reads the
/// same before and after its fields are copied (its id is the version: see TryRead), so a torn read is skipped
/// rather than misreported.
/// </summary>
internal static unsafe class HeapWalker
{
    public static IEnumerable<LiveBlock> LiveBlocks()
    {
        foreach (Arena arena in ArenaMap.All())
        {
            int pools = Volatile.Read(ref arena.PoolsInUse);
            for (int p = 0; p < pools; p++)
            {
                PoolInfo pool = arena.Pools[p];
                int carved = Volatile.Read(ref arena.Pools[p].Carved);
                for (int slot = 0; slot < carved; slot++)
                {
                    nint block = arena.PoolBase(p) + ((nint)slot * pool.Stride);
                    if (TryRead(block, out LiveBlock live))
                    {
                        yield return live;
                    }
                }
            }
        }

        foreach (KeyValuePair<nint, LargeBlock> entry in LargeBlocks.SnapshotLive())
        {
            LargeBlock b = entry.Value;
            yield return new LiveBlock(b.AllocationId, entry.Key, b.Size, b.SiteId, b.Family);
        }

        // The tracked system blocks (NativeMemory, Marshal), from the table beside them.
        foreach (LiveBlock tracked in Tracked.TrackedBlocks.SnapshotLive())
        {
            yield return tracked;
        }
    }

    internal static bool TryRead(nint slot, out LiveBlock block)
    {
        var header = (BlockHeader*)slot;
        block = default;
        if (Volatile.Read(ref header->State) != BlockState.Live)
        {
            return false;
        }

        // Seqlock-style: an in-place realloc (BlockEngine.ResizeInPlace) sets the id to 0, rewrites size and site, then
        // publishes the new id. The copy is accepted only when the id read before it (acquire) and after it (behind a
        // full fence, so the copy's reads cannot move past it) is the same non-zero id: every field then belongs to it.
        long id = Volatile.Read(ref header->AllocationId);
        if (id == 0)
        {
            return false;
        }

        BlockHeader copy = *header;
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref header->State) != BlockState.Live || Volatile.Read(ref header->AllocationId) != id || copy.AllocationId != id)
        {
            return false;
        }

        block = new LiveBlock(id, (nint)(header + 1), copy.Size, copy.SiteId, (AllocationFamily)copy.Family);
        return true;
    }
}
