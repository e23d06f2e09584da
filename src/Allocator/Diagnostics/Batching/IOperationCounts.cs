using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>
/// A writer's owner's own operation counters (the heap's per-thread <see cref="FamilyCounters"/>), as a detach cut reads
/// them from another thread to tell an owner between operations from one that has counted an operation it has not
/// recorded yet (<see cref="OperationCut"/>).
/// </summary>
internal interface IOperationCounts
{
    /// <summary>Every family's counters now, each field read atomically, indexed by <c>(int)AllocationFamily</c>.</summary>
    void Read(Span<FamilyCounters> into);
}

/// <summary>A thread heap's counters, read without touching the heap's own code.</summary>
internal sealed class ThreadHeapCounts(ThreadHeap heap) : IOperationCounts
{
    public void Read(Span<FamilyCounters> into)
    {
        for (int f = 0; f < FamilySlots.Count; f++)
        {
            into[f] = heap.CountersFor((AllocationFamily)f).ReadVolatile();
        }
    }
}
