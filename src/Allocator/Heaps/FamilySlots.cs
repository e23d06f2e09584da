namespace LeakScope.Allocator.Heaps;

/// <summary>Array indexing by family: counters are indexed by the enum value, pools by family then class.</summary>
internal static class FamilySlots
{
    /// <summary>Entries in a per-family counter array (index = (int)family, Unknown included).</summary>
    public const int Count = LeakScope.Wire.WireFamily.Count;

    /// <summary>Families whose blocks carry a header and come from LeakScope's pools (Raw, Pool); the others are tracked system blocks.</summary>
    public const int Owning = 2;

    public static bool IsOwning(AllocationFamily family) => family is AllocationFamily.Raw or AllocationFamily.Pool;

    /// <summary>Index of (family, size class) in per-class tables.</summary>
    public static int PoolSlot(AllocationFamily family, int classIndex) => (((int)family - 1) * SizeClasses.Count) + classIndex;
}
