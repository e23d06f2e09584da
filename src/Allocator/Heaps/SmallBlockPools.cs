namespace LeakScope.Allocator.Heaps;

/// <summary>The shared <see cref="SizeClassPool"/> for every (family, size class), indexed like the thread caches.</summary>
internal static class SmallBlockPools
{
    /// <summary>How many blocks a thread takes from the shared pool when its cache runs dry.</summary>
    public const int RefillBatch = 32;

    private static readonly SizeClassPool[] s_pools = CreatePools();

    public static SizeClassPool For(int slot) => s_pools[slot];

    /// <summary>Every (family, size class) store, indexed by slot.</summary>
    public static ReadOnlySpan<SizeClassPool> All => s_pools;

    /// <summary>Returns a list of <paramref name="count"/> blocks starting at <paramref name="head"/>.</summary>
    public static void ReturnList(int slot, nint head, int count) => s_pools[slot].Give(head, count);

    private static SizeClassPool[] CreatePools()
    {
        var pools = new SizeClassPool[FamilySlots.Owning * SizeClasses.Count];
        foreach (AllocationFamily family in new[] { AllocationFamily.Raw, AllocationFamily.Pool })
        {
            for (int c = 0; c < SizeClasses.Count; c++)
            {
                pools[FamilySlots.PoolSlot(family, c)] = new SizeClassPool(family, c);
            }
        }

        return pools;
    }
}
