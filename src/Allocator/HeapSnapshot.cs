namespace LeakScope.Allocator;

/// <summary>
/// The in-process ground truth at one moment: exact once the threads that use the heap are quiet.
/// The top-level properties are totals over every family; <see cref="For"/> narrows to one family.
/// </summary>
public sealed class HeapSnapshot
{
    /// <summary>Indexed by <c>(int)AllocationFamily</c>, Unknown included.</summary>
    private readonly HeapCounts[] _families;
    private readonly HeapCounts _scope;

    internal HeapSnapshot(HeapCounts[] families)
        : this(families, Sum(families))
    {
    }

    private HeapSnapshot(HeapCounts[] families, HeapCounts scope)
    {
        _families = families;
        _scope = scope;
    }

    public long LiveBlocks => _scope.LiveBlocks;

    public long LiveBytes => _scope.LiveBytes;

    public long Allocations => _scope.Allocations;

    public long Frees => _scope.Frees;

    /// <summary>Misuses caught. Per family, a misuse counts against the block's family when it is known, else the caller's.</summary>
    public long MisuseCount => _scope.MisuseCount;

    /// <summary>The counts of this snapshot as a value.</summary>
    public HeapCounts Counts => _scope;

    /// <summary>The same counts for one family.</summary>
    public HeapSnapshot For(AllocationFamily family)
    {
        if ((uint)family >= (uint)_families.Length || !Enum.IsDefined(family))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "Not an allocation family.");
        }

        var only = new HeapCounts[_families.Length];
        only[(int)family] = _families[(int)family];
        return new HeapSnapshot(only, only[(int)family]);
    }

    public override string ToString() =>
        $"live {LiveBlocks} blocks / {LiveBytes} B, {Allocations} allocations, {Frees} frees, {MisuseCount} misuses";

    private static HeapCounts Sum(HeapCounts[] families)
    {
        HeapCounts total = default;
        foreach (HeapCounts counts in families)
        {
            total += counts;
        }

        return total;
    }
}
