namespace LeakScope.Tracer.Events;

/// <summary>
/// Where decoded records go: one method per record type. The per-operation events and the batched
/// high-rate records both decode into these, so the analysis engine never knows which mode the target used.
/// </summary>
public interface ITraceRecordSink
{
    void On(in SiteDefined record);

    void On(in BlockAllocated record);

    void On(in BlockFreed record);

    void On(in BlockReallocated record);

    /// <summary>Allocate/free pairs the target folded into per-site counters (high-rate mode only).</summary>
    void On(in AllocationsFolded record);

    void On(in MisuseReported record);

    void On(in RundownStarted record);

    void On(in RundownBlock record);

    void On(in RundownStopped record);

    void On(in Heartbeat record);

    void On(in ViewAcquired record);

    void On(in ViewReleased record);

    void On(in ResizeBlocked record);

    void On(in ResizeBlockedView record);

    void On(in ViewLeaked record);

    void On(in OwnerCreated record);

    void On(in OwnerDisposed record);

    void On(in OwnerFinalized record);

    /// <summary>A high-rate batch begins; its block records follow (a sink that does not need to know ignores it).</summary>
    void On(in BatchStarted record)
    {
    }

    /// <summary>A resolved call stack (from a stack-walking session); samples refer to it by id.</summary>
    void On(in StackDefined record)
    {
    }

    /// <summary>An allocation's stack sample.</summary>
    void On(in StackSampled record)
    {
    }

    /// <summary>The stack of a misuse call.</summary>
    void On(in MisuseStacked record)
    {
    }
}
