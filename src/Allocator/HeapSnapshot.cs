namespace LeakScope.Allocator;

/// <summary>
/// The in-process ground truth at one moment: exact once the threads that use the heap are quiet.
/// The top-level properties are totals over both families; <see cref="For"/> narrows to one family.
/// </summary>
public sealed class HeapSnapshot
{
    private readonly HeapCounts _raw;
    private readonly HeapCounts _pool;
    private readonly HeapCounts _unknown;
    private readonly HeapCounts _scope;

    internal HeapSnapshot(HeapCounts raw, HeapCounts pool, HeapCounts unknown)
        : this(raw, pool, unknown, raw + pool + unknown)
    {
    }

    private HeapSnapshot(HeapCounts raw, HeapCounts pool, HeapCounts unknown, HeapCounts scope)
    {
        _raw = raw;
        _pool = pool;
        _unknown = unknown;
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
        HeapCounts counts = family switch
        {
            AllocationFamily.Raw => _raw,
            AllocationFamily.Pool => _pool,
            AllocationFamily.Unknown => _unknown,
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Not an allocation family."),
        };
        return new HeapSnapshot(
            family == AllocationFamily.Raw ? _raw : default,
            family == AllocationFamily.Pool ? _pool : default,
            family == AllocationFamily.Unknown ? _unknown : default,
            counts);
    }

    public override string ToString() =>
        $"live {LiveBlocks} blocks / {LiveBytes} B, {Allocations} allocations, {Frees} frees, {MisuseCount} misuses";
}
