namespace LeakScope.Allocator.Heaps;

/// <summary>
/// What the allocator knows about one 16 KiB pool of an arena: the size class it serves (for good: a pool never
/// changes class, so a stale pointer is always judged by the stride it was carved with), how many slots have been
/// carved and which of its blocks its size-class pool holds free. Kept in managed memory beside the arena so that
/// validating a pointer never reads memory the allocator does not own. The free-block fields change only under the
/// size-class pool's lock.
/// </summary>
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

    /// <summary><c>ceil(2^32 / Stride)</c>: turns "offset / stride" into a multiply on the free path.</summary>
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

    public static PoolInfo For(AllocationFamily family, int classIndex)
    {
        int stride = SizeClasses.Stride(classIndex);
        return new PoolInfo
        {
            Stride = stride,
            Reciprocal = (((ulong)1 << 32) + (ulong)stride - 1) / (ulong)stride,
            Family = family,
            ClassIndex = classIndex,
            ListIndex = -1,
            Changed = 1,
        };
    }
}
