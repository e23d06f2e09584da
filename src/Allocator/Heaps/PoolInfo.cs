namespace LeakScope.Allocator.Heaps;

/// <summary>
/// What the allocator knows about one 16 KiB pool of an arena: the size class it serves and how many
/// slots have been carved. Kept in managed memory beside the arena so that validating a pointer never
/// reads memory the allocator does not own.
/// </summary>
internal struct PoolInfo
{
    /// <summary>Bytes from one slot to the next; 0 while the pool is unused.</summary>
    public int Stride;

    /// <summary><c>ceil(2^32 / Stride)</c>: turns "offset / stride" into a multiply on the free path.</summary>
    public ulong Reciprocal;

    /// <summary>Slots handed to the size-class pool so far (only grows).</summary>
    public int Carved;

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
        };
    }
}
