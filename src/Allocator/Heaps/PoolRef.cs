namespace LeakScope.Allocator.Heaps;

/// <summary>One 16 KiB pool: its arena and its index there.</summary>
internal readonly record struct PoolRef(Arena Arena, int Index)
{
    public ref PoolInfo Info => ref Arena.Pools[Index];

    public nint Base => Arena.PoolBase(Index);
}
