using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// What the allocator knows about one 16 KiB pool of an arena: the size class it serves (for good: a pool never
/// changes class, so a stale pointer is always judged by the stride it was carved with), how many slots have been
/// carved and which of its blocks its size-class pool holds free. Kept in managed memory beside the arena so that
/// validating a pointer never reads memory the allocator does not own. The free-block fields change only under the
/// size-class pool's lock.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)] // a power of two: the free path indexes the arena's table with a shift, not a multiply
internal struct PoolInfo
{
    /// <summary>Bytes from one slot to the next; 0 while the pool is unused.</summary>
    public int Stride;

    /// <summary>
    /// Non-zero when the pool's live blocks may differ from what the per-site walk (<see cref="SiteWalk"/>) last
    /// counted in it. Set by whatever can change them without the walk seeing it: a free or an in-place resize (after
    /// its compare-exchange on the header), <see cref="SizeClassPool.Take"/> and carving (after <see cref="FreeCount"/>
    /// or <see cref="Carved"/>); the walk clears it before it reads the pool and sets it again while any of the pool's
    /// blocks sits in a thread's cache (one of those can become live without touching the pool). Beside
    /// <see cref="Stride"/> so that a free, which has just read that, finds it in the same cache line.
    /// </summary>
    public int Changed;

    /// <summary>
    /// <c>ceil(2^64 / Stride)</c>, 0 while the pool is unused: the low 64 bits of an offset times it say whether the
    /// offset is a multiple of the stride (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019:
    /// <c>n mod d = 0</c> exactly when <c>n·c mod 2^64 &lt; c</c>, for any 32-bit <c>n</c>), and its high 32 bits give the
    /// quotient — the free path's slot-start proof in two independent multiplies instead of a multiply, a shift and a
    /// multiply back in a chain.
    /// </summary>
    public ulong Reciprocal;

    /// <summary>Slots carved since the pool was (re)started; back to 0 when its pages are given back.</summary>
    public int Carved;

    /// <summary>The most slots ever carved: a slot below this was handed out once, even after a release.</summary>
    public int EverCarved;

    /// <summary>This pool's blocks held by its size-class pool (not by a thread, not live): an intrusive list.</summary>
    public nint FreeHead;

    /// <summary>How many blocks are on <see cref="FreeHead"/>; equal to <see cref="Carved"/> when the pool is empty.</summary>
    public int FreeCount;

    /// <summary>Where the pool sits in its size-class pool's list of pools with free blocks; -1 when in none.</summary>
    public int ListIndex;

    /// <summary>When the pool last became empty (<see cref="Environment.TickCount64"/>): the purge gives back pools that stay so.</summary>
    public long EmptiedAt;

    public AllocationFamily Family;

    public int ClassIndex;

    /// <summary>
    /// Whether <paramref name="inPool"/> (a byte offset in the pool) is a slot's user pointer, the slot index in
    /// <paramref name="slot"/>. False for any offset of an unused pool (its <see cref="Reciprocal"/> is 0) and for
    /// offsets inside the first header (the subtraction wraps to a 32-bit value whose quotient is past every slot).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool SlotOf(uint inPool, out ulong slot)
    {
        ulong n = inPool - SizeClasses.HeaderSize;
        ulong reciprocal = Reciprocal;
        // Two independent 64-bit multiplies rather than one 128-bit one: Math.BigMul's low half went through the stack
        // (a store and a reload on the free's chain). The quotient uses the high 32 bits of the reciprocal rounded up
        // (adding n once is that rounding, exact for powers of two too); exact for every 32-bit n whose remainder is 0
        // (checked for every stride and every offset of a pool, and for the wrapped offsets inside the first header).
        slot = ((n * (reciprocal >> 32)) + n) >> 32;
        return n * reciprocal < reciprocal;
    }

    /// <summary>Whether <paramref name="inPool"/> is the user pointer of a slot carved now (two multiplies, two compares, one branch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool IsCarvedSlotStart(uint inPool) =>
        SlotOf(inPool, out ulong slot) & slot < (uint)Volatile.Read(ref Unsafe.AsRef(in Carved));

    public static PoolInfo For(AllocationFamily family, int classIndex)
    {
        int stride = SizeClasses.Stride(classIndex);
        return new PoolInfo
        {
            Stride = stride,
            Reciprocal = (ulong.MaxValue / (ulong)stride) + 1,
            Family = family,
            ClassIndex = classIndex,
            ListIndex = -1,
            Changed = 1,
        };
    }
}
