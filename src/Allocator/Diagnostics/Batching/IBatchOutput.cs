namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>Where a published batch of records goes.</summary>
internal unsafe interface IBatchOutput
{
    void Write(byte* records, int length);

    /// <summary>A session has started (<see cref="BatchingSession.Start"/>): what was kept for an earlier one is stale.</summary>
    void SessionStarted()
    {
    }
}

/// <summary>
/// The normal destination: one <c>AllocationBatch</c> event per batch, with a copy kept in <see cref="BatchRetention"/>
/// first, because an event written while the runtime is shutting the session down is dropped without a trace.
/// </summary>
internal sealed unsafe class EventSourceBatchOutput : IBatchOutput
{
    public void Write(byte* records, int length)
    {
        BatchRetention.Keep(records, length);
        AllocatorEventSource.Log.AllocationBatch(BatchRecord.FormatVersion, records, length);
    }

    /// <summary>The exit file replays only this session's batches.</summary>
    public void SessionStarted() => BatchRetention.Clear();
}
