using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// Passes every record to an <see cref="AnalysisEngine"/> and checks after each one that no live account went
/// negative; remembers the site definitions and heartbeats it saw, to check the findings and the verdict against.
/// </summary>
internal sealed class CheckingSink(AnalysisEngine engine) : ITraceRecordSink
{
    private static readonly HeapFamily[] Families = [HeapFamily.Unknown, HeapFamily.Raw, HeapFamily.Pool];

    public Dictionary<int, SiteDefined> Sites { get; } = new();

    public List<Heartbeat> Heartbeats { get; } = new();

    public long Records { get; private set; }

    /// <summary>The first time an account went negative, described; null while none has.</summary>
    public string? NegativeAccount { get; private set; }

    public void On(in SiteDefined record)
    {
        Sites[record.Site.Value] = record;
        engine.On(record);
        After();
    }

    public void On(in BlockAllocated record)
    {
        engine.On(record);
        After();
    }

    public void On(in BlockFreed record)
    {
        engine.On(record);
        After();
    }

    public void On(in BlockReallocated record)
    {
        engine.On(record);
        After();
    }

    public void On(in AllocationsFolded record)
    {
        engine.On(record);
        After();
    }

    public void On(in MisuseReported record)
    {
        engine.On(record);
        After();
    }

    public void On(in RundownStarted record)
    {
        engine.On(record);
        After();
    }

    public void On(in RundownBlock record)
    {
        engine.On(record);
        After();
    }

    public void On(in RundownStopped record)
    {
        engine.On(record);
        After();
    }

    public void On(in Heartbeat record)
    {
        Heartbeats.Add(record);
        engine.On(record);
        After();
    }

    public void On(in ViewAcquired record)
    {
        engine.On(record);
        After();
    }

    public void On(in ViewReleased record)
    {
        engine.On(record);
        After();
    }

    public void On(in ResizeBlocked record)
    {
        engine.On(record);
        After();
    }

    public void On(in ResizeBlockedView record)
    {
        engine.On(record);
        After();
    }

    public void On(in ViewLeaked record)
    {
        engine.On(record);
        After();
    }

    public void On(in OwnerCreated record)
    {
        engine.On(record);
        After();
    }

    public void On(in OwnerDisposed record)
    {
        engine.On(record);
        After();
    }

    public void On(in OwnerFinalized record)
    {
        engine.On(record);
        After();
    }

    public void On(in DetachFlushed record)
    {
        engine.On(record);
        After();
    }

    private void After()
    {
        Records++;
        if (NegativeAccount is not null)
        {
            return;
        }

        foreach (HeapFamily family in Families)
        {
            FamilyCounts account = engine.Account(family);
            if (account.LiveBlocks < 0 || account.LiveBytes < 0)
            {
                NegativeAccount = $"after record {Records}: {family} live {account.LiveBlocks} blocks / {account.LiveBytes} B";
                return;
            }
        }
    }
}
