namespace LeakScope.Allocator;

/// <summary>
/// The in-process ground truth at one moment: exact once the threads that use the heap are quiet.
/// The top-level properties are totals over every family; <see cref="For"/> narrows to one family.
/// </summary>
/// <remarks>
/// A snapshot is a value: two snapshots with the same counts in every family are equal, and snapshots add and
/// subtract family by family (heaptrack's <c>AllocationData</c>), so what a piece of code did to the heap reads
/// <c>(HeapStats.Capture() - before).For(AllocationFamily.Pool).LiveBytes</c>.
/// </remarks>
public sealed class HeapSnapshot : IEquatable<HeapSnapshot>
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

    /// <summary>Blocks allocated and not yet freed.</summary>
    public long LiveBlocks => _scope.LiveBlocks;

    /// <summary>The bytes the live blocks were requested with.</summary>
    public long LiveBytes => _scope.LiveBytes;

    /// <summary>Blocks allocated since the process started (a realloc that moves a block counts as one allocation and one free).</summary>
    public long Allocations => _scope.Allocations;

    /// <summary>Blocks freed since the process started.</summary>
    public long Frees => _scope.Frees;

    /// <summary>Misuses caught. Per family, a misuse counts against the block's family when it is known, else the caller's.</summary>
    public long MisuseCount => _scope.MisuseCount;

    /// <summary>The counts of this snapshot as a value (for the allocator's own arithmetic and its tests).</summary>
    internal HeapCounts Counts => _scope;

    /// <summary>The same counts for one family; the family's snapshot narrows to itself again.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="family"/> is not a defined family.</exception>
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

    /// <summary>The counts of both snapshots added, family by family.</summary>
    public static HeapSnapshot operator +(HeapSnapshot left, HeapSnapshot right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new HeapSnapshot(Combine(left._families, right._families, +1), left._scope + right._scope);
    }

    /// <summary>
    /// What changed from <paramref name="right"/> to <paramref name="left"/>, family by family: <c>after - before</c>
    /// has the blocks and bytes gained (negative when lost) and the allocations, frees and misuses in between.
    /// </summary>
    public static HeapSnapshot operator -(HeapSnapshot left, HeapSnapshot right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new HeapSnapshot(Combine(left._families, right._families, -1), left._scope - right._scope);
    }

    /// <summary>Same as <c>left + right</c>, for languages without operators.</summary>
    public static HeapSnapshot Add(HeapSnapshot left, HeapSnapshot right) => left + right;

    /// <summary>Same as <c>left - right</c>, for languages without operators.</summary>
    public static HeapSnapshot Subtract(HeapSnapshot left, HeapSnapshot right) => left - right;

    /// <summary>Whether both snapshots hold the same counts, in total and in every family.</summary>
    public bool Equals(HeapSnapshot? other) =>
        other is not null && _scope == other._scope && _families.AsSpan().SequenceEqual(other._families);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HeapSnapshot);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(_scope);
        foreach (HeapCounts counts in _families)
        {
            hash.Add(counts);
        }

        return hash.ToHashCode();
    }

    /// <summary>For example <c>live 3 blocks / 240 B, 10 allocations, 7 frees, 0 misuses</c>.</summary>
    public override string ToString() =>
        $"live {LiveBlocks} blocks / {LiveBytes} B, {Allocations} allocations, {Frees} frees, {MisuseCount} misuses";

    /// <summary>Family by family: <paramref name="left"/> plus (or minus) <paramref name="right"/>.</summary>
    private static HeapCounts[] Combine(HeapCounts[] left, HeapCounts[] right, int sign)
    {
        var result = new HeapCounts[left.Length];
        for (int f = 0; f < result.Length; f++)
        {
            result[f] = sign > 0 ? left[f] + right[f] : left[f] - right[f];
        }

        return result;
    }

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
