namespace LeakScope.Tracer.Events;

/// <summary>Counts for one family (or a sum): a value with <c>+</c> / <c>−</c> so accounts can be compared and diffed.</summary>
public readonly record struct FamilyCounts(long LiveBlocks, long LiveBytes, long Allocations, long Frees)
{
    /// <summary>The counts added field by field.</summary>
    public static FamilyCounts operator +(FamilyCounts a, FamilyCounts b) =>
        new(a.LiveBlocks + b.LiveBlocks, a.LiveBytes + b.LiveBytes, a.Allocations + b.Allocations, a.Frees + b.Frees);

    /// <summary>The counts subtracted field by field: what changed from <paramref name="b"/> to <paramref name="a"/>.</summary>
    public static FamilyCounts operator -(FamilyCounts a, FamilyCounts b) =>
        new(a.LiveBlocks - b.LiveBlocks, a.LiveBytes - b.LiveBytes, a.Allocations - b.Allocations, a.Frees - b.Frees);

    /// <summary>True when the live blocks and bytes agree (cumulative totals differ whenever the session attached late).</summary>
    public bool SameLive(FamilyCounts other) => LiveBlocks == other.LiveBlocks && LiveBytes == other.LiveBytes;
}
