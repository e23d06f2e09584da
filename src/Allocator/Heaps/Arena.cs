using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// A 1 MiB, 1 MiB-aligned region carved into 64 pools of 16 KiB, each serving one (family, size class),
/// as in CPython's obmalloc. Alignment lets any pointer find its arena with a mask, and the pool table
/// lets a free prove that a pointer is the start of a slot before touching its header. An arena's addresses are
/// never returned to the system — every header stays readable for rundown and for late double-free checks — but the
/// pages of its empty pools are (<see cref="SizeClassPool"/>): such a pool then reads as zeros until it is carved again.
/// </summary>
internal sealed unsafe class Arena
{
    public const int SizeShift = 20;
    public const int Size = 1 << SizeShift;
    public const int PoolShift = 14;
    public const int PoolSize = 1 << PoolShift;
    public const int PoolCount = Size / PoolSize;

    public readonly nint Base;

    /// <summary>What each pool serves, inline in the arena so that a free reaches it in one load.</summary>
    public PoolTable Pools;

    /// <summary>Pools handed out so far, in order.</summary>
    public int PoolsInUse;

    /// <summary>What the per-site walk last counted in each pool; touched only by that walk, under its lock.</summary>
    internal SiteWalk.ArenaCounts? WalkCounts;

    private Arena(nint baseAddress) => Base = baseAddress;

    /// <summary>A new arena: the next of the reserved region (<see cref="ArenaRegion"/>), or from the system allocator.</summary>
    public static Arena Create()
    {
        nint inRegion = ArenaRegion.TakeNext();
        if (inRegion != 0)
        {
            var arena = new Arena(inRegion);
            ArenaRegion.Publish(arena);
            return arena;
        }

        return new((nint)NativeMemory.AlignedAlloc(Size, Size));
    }

    public nint PoolBase(int poolIndex) => Base + ((nint)poolIndex << PoolShift);

    /// <summary>The header of the block whose user pointer is <paramref name="user"/>, or null when the
    /// pointer is not the start of a carved slot in this arena.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public BlockHeader* TryGetHeader(nint user)
    {
        // Arenas are aligned to their size: the offset needs no load of Base (the map matched the pointer to this arena).
        // No further mask: the offset is below Size, so its pool index is below PoolCount. PoolInfo being 64 bytes, the
        // index becomes an address by a shift. Both steps sit on the free's chain of dependent instructions.
        nuint offset = (nuint)user & (Size - 1);
        ref PoolInfo pool = ref Unsafe.Add(ref Unsafe.As<PoolTable, PoolInfo>(ref Pools), (nint)(offset >> PoolShift));
        if (!pool.IsCarvedSlotStart((uint)offset & (PoolSize - 1)))
        {
            return null;
        }

        return (BlockHeader*)(user - SizeClasses.HeaderSize);
    }

    /// <summary>
    /// Marks the pool holding <paramref name="address"/> (an address inside this arena) changed for
    /// <see cref="SiteWalk"/>: called after a compare-exchange on one of its block headers (a full fence), so the walk
    /// either read the header after it or finds the mark. Check-then-set: in steady state a load and a predictable
    /// branch, no write to the shared line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkChanged(nint address)
    {
        ref PoolInfo pool = ref Unsafe.Add(ref Unsafe.As<PoolTable, PoolInfo>(ref Pools), (int)((address & (Size - 1)) >> PoolShift));
        if (Volatile.Read(ref pool.Changed) == 0)
        {
            Volatile.Write(ref pool.Changed, 1);
        }
    }

    /// <summary>
    /// True when <paramref name="user"/> is the start of a slot that was handed out once but whose pool has since been
    /// given back to the system (or re-carved short of it): a free of it is a late double free whose block is gone.
    /// </summary>
    public bool IsReleasedSlot(nint user)
    {
        nint offset = user - Base;
        ref PoolInfo pool = ref Unsafe.Add(ref Unsafe.As<PoolTable, PoolInfo>(ref Pools), (int)(offset >> PoolShift) & (PoolCount - 1));
        return pool.SlotOf((uint)offset & (PoolSize - 1), out ulong slot)
            && slot >= (uint)Volatile.Read(ref pool.Carved) && slot < (uint)Volatile.Read(ref pool.EverCarved);
    }
}

/// <summary>An arena's <see cref="PoolInfo"/> per pool.</summary>
[InlineArray(Arena.PoolCount)]
internal struct PoolTable
{
    private PoolInfo _first;
}
