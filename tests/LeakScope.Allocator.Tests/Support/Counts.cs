namespace LeakScope.Allocator.Tests.Support;

/// <summary>
/// Shorthands for expected <see cref="HeapCounts"/> and for what changed between two snapshots, read through the
/// public arithmetic (<c>after - before</c>, then <see cref="HeapSnapshot.For"/>) so every test that uses it checks that too.
/// </summary>
internal static class Counts
{
    public static HeapCounts Change(HeapSnapshot before, HeapSnapshot after, AllocationFamily family) =>
        (after - before).For(family).Counts;

    /// <summary>Blocks allocated and still live.</summary>
    public static HeapCounts Live(long blocks, long bytes) => new(blocks, bytes, Allocations: blocks, Frees: 0, MisuseCount: 0);

    /// <summary>Allocations that were all freed again.</summary>
    public static HeapCounts Churn(long allocations) => new(0, 0, allocations, allocations, 0);

    public static HeapCounts Misuse(long count) => new(0, 0, 0, 0, count);
}
