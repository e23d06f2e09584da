namespace LeakScope.Allocator.Heaps;

/// <summary>Hands out 16 KiB pools from arenas, creating a new arena when the current one is full.</summary>
internal static class ArenaSet
{
    private static readonly Lock s_lock = new();
    private static Arena? s_current;

    public static (Arena Arena, int PoolIndex) AcquirePool(AllocationFamily family, int classIndex)
    {
        lock (s_lock)
        {
            if (s_current is null || s_current.PoolsInUse == Arena.PoolCount)
            {
                s_current = Arena.Create();
                ArenaMap.Add(s_current);
            }

            int index = s_current.PoolsInUse;
            s_current.Pools[index] = PoolInfo.For(family, classIndex);
            Volatile.Write(ref s_current.PoolsInUse, index + 1);
            return (s_current, index);
        }
    }
}
