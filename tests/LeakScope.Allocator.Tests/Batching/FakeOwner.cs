using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>
/// A model owner thread: its allocation ids (as <see cref="FakeIds"/>) and its heap's counters, which the test changes in
/// the owner's heap step (<see cref="CountAllocation"/>, <see cref="CountFree"/>) before the record step, as the allocator does.
/// </summary>
internal sealed class FakeOwner(long firstId) : IAllocationIdSource, IOperationCounts
{
    private readonly FamilyCounters[] _counters = new FamilyCounters[FamilySlots.Count];
    private long _next = firstId;

    public long NextId => _next;

    public ref FamilyCounters Counters(AllocationFamily family) => ref _counters[(int)family];

    public void Read(Span<FamilyCounters> into) => _counters.CopyTo(into);

    public long CountAllocation(AllocationFamily family, long size)
    {
        ref FamilyCounters counters = ref _counters[(int)family];
        counters.LiveBytes += size;
        counters.Allocations++;
        return _next++;
    }

    public void CountFree(AllocationFamily family, long size)
    {
        ref FamilyCounters counters = ref _counters[(int)family];
        counters.LiveBytes -= size;
        counters.Frees++;
    }
}
