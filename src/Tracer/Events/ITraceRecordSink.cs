namespace LeakScope.Tracer.Events;

/// <summary>
/// Where decoded records go: one method per record type. The per-operation events and the batched
/// high-rate records both decode into these, so the analysis engine never knows which mode the target used.
/// </summary>
public interface ITraceRecordSink
{
    /// <summary>A site id's file, line and member.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in SiteDefined record);

    /// <summary>A block was allocated.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in BlockAllocated record);

    /// <summary>A block was freed.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in BlockFreed record);

    /// <summary>A block was reallocated: the old one ends, the new one begins.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in BlockReallocated record);

    /// <summary>Allocate/free pairs the target folded into per-site counters (high-rate mode only).</summary>
    void On(in AllocationsFolded record);

    /// <summary>A misuse the allocator caught in-process.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in MisuseReported record);

    /// <summary>The rundown of blocks live when the session began starts.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in RundownStarted record);

    /// <summary>A block that was live when the session began.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in RundownBlock record);

    /// <summary>The rundown ends.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in RundownStopped record);

    /// <summary>The target's authoritative counts.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in Heartbeat record);

    /// <summary>A view of an owner was acquired.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in ViewAcquired record);

    /// <summary>A view was released.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in ViewReleased record);

    /// <summary>A resize refused because views were outstanding; one <see cref="ResizeBlockedView"/> per view follows.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in ResizeBlocked record);

    /// <summary>One view outstanding during a refused resize.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in ResizeBlockedView record);

    /// <summary>A view reclaimed by the finalizer instead of disposed.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in ViewLeaked record);

    /// <summary>An owned array or buffer was created.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in OwnerCreated record);

    /// <summary>An owner was disposed.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in OwnerDisposed record);

    /// <summary>An owner was reclaimed by the finalizer.</summary>
    /// <param name="record">The decoded record.</param>
    void On(in OwnerFinalized record);

    /// <summary>A high-rate batch begins; its block records follow (a sink that does not need to know ignores it).</summary>
    void On(in BatchStarted record)
    {
    }

    /// <summary>The target flushed everything for a detaching tracer; the heartbeat it names follows (a sink that does not need to know ignores it).</summary>
    void On(in DetachFlushed record)
    {
    }
}
