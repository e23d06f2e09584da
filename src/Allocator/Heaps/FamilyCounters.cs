namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Per-thread running totals for one family. Only the owning thread writes them, so the hot path
/// needs no atomics; frees on another thread simply subtract on that thread, and the sum over all
/// threads is exact. Live blocks are derived (allocations − frees) rather than stored.
/// </summary>
internal struct FamilyCounters
{
    public long LiveBytes;
    public long Allocations;
    public long Frees;

    public readonly HeapCounts ToCounts(long misuse) =>
        new(Allocations - Frees, LiveBytes, Allocations, Frees, misuse);

    public void Add(in FamilyCounters other)
    {
        LiveBytes += other.LiveBytes;
        Allocations += other.Allocations;
        Frees += other.Frees;
    }

    /// <summary>A torn-free copy for readers on other threads (each field is read atomically).</summary>
    public readonly FamilyCounters ReadVolatile()
    {
        FamilyCounters copy;
        copy.LiveBytes = Volatile.Read(in LiveBytes);
        copy.Allocations = Volatile.Read(in Allocations);
        copy.Frees = Volatile.Read(in Frees);
        return copy;
    }
}
