using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>Counts the records a decoder hands over, and keeps the last one.</summary>
internal sealed class CountingSink : ITraceRecordSink
{
    public long Records { get; private set; }

    public object? Last { get; private set; }

    public void On(in SiteDefined record) => Take(record);

    public void On(in BlockAllocated record) => Take(record);

    public void On(in BlockFreed record) => Take(record);

    public void On(in BlockReallocated record) => Take(record);

    public void On(in AllocationsFolded record) => Take(record);

    public void On(in MisuseReported record) => Take(record);

    public void On(in RundownStarted record) => Take(record);

    public void On(in RundownBlock record) => Take(record);

    public void On(in RundownStopped record) => Take(record);

    public void On(in Heartbeat record) => Take(record);

    public void On(in ViewAcquired record) => Take(record);

    public void On(in ViewReleased record) => Take(record);

    public void On(in ResizeBlocked record) => Take(record);

    public void On(in ResizeBlockedView record) => Take(record);

    public void On(in ViewLeaked record) => Take(record);

    public void On(in OwnerCreated record) => Take(record);

    public void On(in OwnerDisposed record) => Take(record);

    public void On(in OwnerFinalized record) => Take(record);

    public void On(in DetachFlushed record) => Take(record);

    private void Take(object record)
    {
        Records++;
        Last = record;
    }
}
