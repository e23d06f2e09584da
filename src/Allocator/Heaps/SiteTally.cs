using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Live blocks and bytes per (site, family) over the live heap: every carved slot of every arena, the large-block
/// registry and the tracked system blocks (the same ground <see cref="HeapWalker"/> covers). The arenas' part comes from
/// <see cref="SiteWalk"/>, which re-reads only the pools changed since its last walk (the free path's only share of
/// it is one check of its pool's mark); the rest is read whole. It runs concurrently with allocation: a slot counts
/// only when its id reads the same before and after its fields (acquire reads keep that order), so a block being
/// resized in place is skipped (and its pool read again next time) rather than misattributed.
/// </summary>
internal sealed unsafe class SiteTally
{

    private long[] _blocks;
    private long[] _bytes;

    public SiteTally(int siteCapacity)
    {
        _blocks = new long[Math.Max(siteCapacity, 1) * FamilySlots.Count];
        _bytes = new long[_blocks.Length];
    }

    /// <summary>Entries: site id × <see cref="FamilySlots.Count"/> + family.</summary>
    public int Length => _blocks.Length;

    public long BlocksAt(int index) => _blocks[index];

    public long BytesAt(int index) => _bytes[index];

    /// <summary>The live heap's tally: the arenas' from <see cref="SiteWalk"/> (changed pools only), the rest read whole.</summary>
    public static SiteTally Capture()
    {
        var tally = new SiteTally(Diagnostics.SiteRegistry.Count);
        SiteWalk.AddTo(tally);
        tally.AddUnpooled();
        return tally;
    }

    /// <summary>The same tally by reading every slot of every arena, keeping nothing: what <see cref="Capture"/> must equal once the heap is still.</summary>
    internal static SiteTally CaptureByFullWalk()
    {
        var tally = new SiteTally(Diagnostics.SiteRegistry.Count);
        foreach (Arena arena in ArenaMap.All())
        {
            tally.AddArena(arena);
        }

        tally.AddUnpooled();
        return tally;
    }

    private void AddUnpooled()
    {
        SiteTally tally = this;
        foreach (KeyValuePair<nint, LargeBlock> entry in LargeBlocks.SnapshotLive())
        {
            tally.Add(entry.Value.SiteId, entry.Value.Family, (long)entry.Value.Size);
        }

        Tracked.TrackedBlocks.AddLiveTo(tally);
    }

    /// <summary>Adds counts already summed for one entry (site id × <see cref="FamilySlots.Count"/> + family).</summary>
    public void AddCounts(int index, long blocks, long bytes)
    {
        if ((uint)index >= (uint)_blocks.Length)
        {
            Grow(index / FamilySlots.Count);
        }

        _blocks[index] += blocks;
        _bytes[index] += bytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int siteId, AllocationFamily family, long size)
    {
        if ((uint)family >= FamilySlots.Count || siteId < 0)
        {
            return; // Not a family or a site any writer stores: nothing to count it under.
        }

        int index = (siteId * FamilySlots.Count) + (int)family;
        if ((uint)index >= (uint)_blocks.Length)
        {
            Grow(siteId);
            index = (siteId * FamilySlots.Count) + (int)family;
        }

        _blocks[index]++;
        _bytes[index] += size;
    }

    private void AddArena(Arena arena)
    {
        int pools = Volatile.Read(ref arena.PoolsInUse);
        for (int p = 0; p < pools; p++)
        {
            ref PoolInfo pool = ref arena.Pools[p];
            int stride = pool.Stride;
            int carved = Volatile.Read(ref pool.Carved);
            if (stride == 0 || carved == 0)
            {
                continue;
            }

            byte* slot = (byte*)arena.PoolBase(p);
            byte* end = slot + ((nint)carved * stride);
            for (; slot < end; slot += stride)
            {
                if (BlockHeader.ReadConcurrently(slot, out ulong fields) != HeaderRead.Live)
                {
                    continue;
                }

                Add(BlockHeader.SiteOf(fields), BlockHeader.FamilyOf(fields), BlockHeader.SizeOf(fields));
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int siteId)
    {
        // A site interned after the tally was sized.
        int length = Math.Max(_blocks.Length * 2, (siteId + 1) * FamilySlots.Count);
        Array.Resize(ref _blocks, length);
        Array.Resize(ref _bytes, length);
    }
}
