using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Decoding;

/// <summary>A sink that keeps every record it is given, in order.</summary>
internal sealed class RecordCapture : ITraceRecordSink
{
    public List<object> Records { get; } = new();

    public void On(in SiteDefined record) => Records.Add(record);
    public void On(in BlockAllocated record) => Records.Add(record);
    public void On(in BlockFreed record) => Records.Add(record);
    public void On(in BlockReallocated record) => Records.Add(record);
    public void On(in AllocationsFolded record) => Records.Add(record);
    public void On(in MisuseReported record) => Records.Add(record);
    public void On(in RundownStarted record) => Records.Add(record);
    public void On(in RundownBlock record) => Records.Add(record);
    public void On(in RundownStopped record) => Records.Add(record);
    public void On(in Heartbeat record) => Records.Add(record);
    public void On(in ViewAcquired record) => Records.Add(record);
    public void On(in ViewReleased record) => Records.Add(record);
    public void On(in ResizeBlocked record) => Records.Add(record);
    public void On(in ResizeBlockedView record) => Records.Add(record);
    public void On(in ViewLeaked record) => Records.Add(record);
    public void On(in OwnerCreated record) => Records.Add(record);
    public void On(in OwnerDisposed record) => Records.Add(record);
    public void On(in OwnerFinalized record) => Records.Add(record);
    public void On(in DetachFlushed record) => Records.Add(record);
}
