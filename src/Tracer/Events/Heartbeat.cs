namespace LeakScope.Tracer.Events;

/// <summary>The target's authoritative counts per family, every 100 ms and once at exit (event 9). Allocations and frees are cumulative over the process's life.</summary>
public readonly record struct Heartbeat(long Sequence, FamilyCounts Raw, FamilyCounts Pool, long MisuseCount, HeartbeatFlags Flags)
{
    private readonly IReadOnlyList<KeyValuePair<HeapFamily, FamilyCounts>>? _tracked;

    /// <summary>
    /// The tracked system families' counts (native, aligned, hglobal, cotaskmem; <c>Heartbeat</c> version 2), or empty
    /// from an allocator whose heartbeat carries raw and pool only (version 1).
    /// </summary>
    public IReadOnlyList<KeyValuePair<HeapFamily, FamilyCounts>> Tracked
    {
        get => _tracked ?? [];
        init => _tracked = value;
    }

    /// <summary>Equal when every count is, the tracked families' included (by value, in order).</summary>
    public bool Equals(Heartbeat other) =>
        Sequence == other.Sequence && Raw == other.Raw && Pool == other.Pool && MisuseCount == other.MisuseCount && Flags == other.Flags
        && Tracked.SequenceEqual(other.Tracked);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sequence, Raw, Pool, MisuseCount, Flags, Tracked.Count);
}
