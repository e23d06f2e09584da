using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Support;

/// <summary>
/// An in-process listener on <c>LeakScope-Allocator</c> that keeps every event it receives, in arrival
/// order, and waits for events with a bound. Enabling the source also makes the allocator publish a
/// rundown of the blocks already live. Use only in <see cref="ProcessWideAllocatorState"/> tests, and
/// filter by the ids and sites the test itself produced.
/// </summary>
internal sealed class AllocatorEventRecorder : EventListener
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<EventWrittenEventArgs> _events = new();
    private readonly Arrivals _arrivals = new();

    public AllocatorEventRecorder(EventLevel level = EventLevel.Verbose, EventKeywords keywords = EventKeywords.All)
    {
        EnableEvents(AllocatorEventSource.Log, level, keywords);
    }

    /// <summary>Everything received so far, in arrival order.</summary>
    public IReadOnlyList<EventWrittenEventArgs> Events => _events.ToArray();

    public IEnumerable<EventWrittenEventArgs> WithId(int eventId) => Events.Where(e => e.EventId == eventId);

    public IReadOnlyList<BlockEvent> Allocated => WithId(WireSchema.EventIds.BlockAllocated).Select(e => e.ToBlock()).ToList();

    public IReadOnlyList<BlockEvent> Freed => WithId(WireSchema.EventIds.BlockFreed).Select(e => e.ToBlock()).ToList();

    public IReadOnlyList<ReallocEvent> Reallocated => WithId(WireSchema.EventIds.BlockReallocated).Select(e => e.ToRealloc()).ToList();

    public IReadOnlyList<MisuseEvent> Misuses => WithId(WireSchema.EventIds.Misuse).Select(e => e.ToMisuse()).ToList();

    public IReadOnlyList<HeartbeatEvent> Heartbeats => WithId(WireSchema.EventIds.Heartbeat).Select(e => e.ToHeartbeat()).ToList();

    /// <summary>Every site definition received, live or in a rundown, by site id.</summary>
    public IReadOnlyDictionary<int, SiteEvent> Sites
    {
        get
        {
            var sites = new Dictionary<int, SiteEvent>();
            foreach (SiteEvent site in WithId(WireSchema.EventIds.SiteDefined).Select(e => e.ToSite()))
            {
                sites[site.SiteId] = site;
            }

            return sites;
        }
    }

    /// <summary>The id of the block most recently allocated (or reallocated) at <paramref name="address"/>, from the events.</summary>
    public long IdOfBlockAt(nint address)
    {
        long id = 0;
        foreach (EventWrittenEventArgs e in Events)
        {
            if (e.EventId == WireSchema.EventIds.BlockAllocated && e.ToBlock().Address == address)
            {
                id = e.ToBlock().AllocationId;
            }
            else if (e.EventId == WireSchema.EventIds.BlockReallocated && e.ToRealloc().NewAddress == address)
            {
                id = e.ToRealloc().NewAllocationId;
            }
        }

        Assert.True(id != 0, $"No BlockAllocated or BlockReallocated event names a block at 0x{address:x}.");
        return id;
    }

    public SiteEvent SiteOf(int siteId)
    {
        Assert.True(Sites.TryGetValue(siteId, out SiteEvent site), $"No SiteDefined event for site {siteId}.");
        return site;
    }

    /// <summary>Waits, at most <paramref name="timeout"/>, until <paramref name="condition"/> holds; fails the test otherwise.</summary>
    public void WaitUntil(Func<AllocatorEventRecorder, bool> condition, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        Assert.True(_arrivals.WaitUntil(() => condition(this), limit), $"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}.");
    }

    /// <summary>Waits for the first rundown that started after this listener enabled the source, and returns it.</summary>
    public RundownCapture WaitForRundown(TimeSpan? timeout = null)
    {
        RundownCapture? rundown = null;
        WaitUntil(r => (rundown = RundownCapture.TryFind(r.Events)) is not null, "a complete rundown (RundownStart … RundownStop)", timeout);
        return rundown!;
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        _events.Enqueue(eventData);
        _arrivals.Arrived();
    }
}

/// <summary>One rundown as received: the blocks and sites between RundownStart and the RundownStop of the same generation.</summary>
internal sealed record RundownCapture(long Generation, IReadOnlyList<BlockEvent> Blocks, IReadOnlyList<SiteEvent> Sites, long StopBlocks, long StopBytes)
{
    public static RundownCapture? TryFind(IReadOnlyList<EventWrittenEventArgs> events)
    {
        int start = -1;
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i].EventId == WireSchema.EventIds.RundownStart)
            {
                start = i;
                break;
            }
        }

        if (start < 0)
        {
            return null;
        }

        long generation = events[start].Get<long>("Generation");
        var blocks = new List<BlockEvent>();
        var sites = new List<SiteEvent>();
        for (int i = start + 1; i < events.Count; i++)
        {
            EventWrittenEventArgs e = events[i];
            if (e.EventId == WireSchema.EventIds.RundownBlock)
            {
                blocks.Add(e.ToBlock());
            }
            else if (e.EventId == WireSchema.EventIds.SiteDefined)
            {
                sites.Add(e.ToSite());
            }
            else if (e.EventId == WireSchema.EventIds.RundownStop && e.Get<long>("Generation") == generation)
            {
                return new RundownCapture(generation, blocks, sites, e.Get<long>("Blocks"), e.Get<long>("Bytes"));
            }
        }

        return null;
    }
}
