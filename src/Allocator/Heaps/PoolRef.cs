namespace LeakScope.Allocator.Heaps;

/// <summary>One 16 KiB pool: its arena and its index there.</summary>
internal readonly record struct PoolRef(Arena Arena, int Index)
{
    public ref PoolInfo Info => ref Arena.Pools[Index];

    public nint Base => Arena.PoolBase(Index);

    /// <summary>The pool holding a block that one of the arenas handed out.</summary>
    public static PoolRef Of(nint block)
    {
        Arena arena = ArenaMap.Find(block) ?? throw new InvalidOperationException("A pooled block outside every arena.");
        return new PoolRef(arena, (int)((block - arena.Base) >> Arena.PoolShift));
    }
}
