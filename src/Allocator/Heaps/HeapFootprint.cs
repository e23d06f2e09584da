namespace LeakScope.Allocator.Heaps;

/// <summary>
/// How much address space the small-block heap holds and how often it gave memory back to the system: what the bench
/// counts to show that a burst is returned and that a steady loop neither creates arenas nor releases pages.
/// </summary>
internal readonly record struct HeapFootprint(int Arenas, long ReleaseCalls, long PoolsReleased, long PoolsRecommitted)
{
    private static long s_releaseCalls;
    private static long s_poolsReleased;
    private static long s_poolsRecommitted;

    public static HeapFootprint Capture() => new(
        ArenaMap.All().Length,
        Volatile.Read(ref s_releaseCalls),
        Volatile.Read(ref s_poolsReleased),
        Volatile.Read(ref s_poolsRecommitted));

    /// <summary>One system call gave <paramref name="pools"/> pools' pages back.</summary>
    internal static void CountRelease(int pools)
    {
        Interlocked.Increment(ref s_releaseCalls);
        Interlocked.Add(ref s_poolsReleased, pools);
    }

    /// <summary>A pool whose pages were given back is in use again.</summary>
    internal static void CountRecommit() => Interlocked.Increment(ref s_poolsRecommitted);
}
