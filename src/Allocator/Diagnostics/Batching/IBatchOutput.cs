namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>Where a published batch of records goes.</summary>
internal unsafe interface IBatchOutput
{
    void Write(byte* records, int length);
}

/// <summary>The normal destination: one <c>AllocationBatch</c> event per batch.</summary>
internal sealed unsafe class EventSourceBatchOutput : IBatchOutput
{
    public void Write(byte* records, int length) =>
        AllocatorEventSource.Log.AllocationBatch(BatchRecord.FormatVersion, records, length);
}
