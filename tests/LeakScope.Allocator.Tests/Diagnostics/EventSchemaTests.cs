using System.Diagnostics.Tracing;
using System.Xml.Linq;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.MisuseTarget;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// Pins the published schema of <c>LeakScope-Allocator</c>: the provider name and Guid that tracers
/// enable, and every event's id, name, version, level, keywords and payload fields in order. The
/// schema only grows: a change here must add ids or append fields with a bumped version, never alter
/// what is pinned. Also checks that exercising the allocator never makes the source emit its own
/// error event (id 0), which is how EventSource reports a malformed event.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public class EventSchemaTests
{
    private static readonly XNamespace Events = "http://schemas.microsoft.com/win/2004/08/events";

    /// <summary>id, name, version, level, keywords, payload fields.</summary>
    private static readonly (int Id, string Name, int Version, string Level, string Keywords, string[] Fields)[] Schema =
    [
        (1, "SiteDefined", 1, "win:Informational", "Sites", ["SiteId", "File", "Line", "Member"]),
        (2, "BlockAllocated", 1, "win:Verbose", "Allocations", ["AllocationId", "Address", "Size", "SiteId", "Family"]),
        (3, "BlockFreed", 1, "win:Verbose", "Allocations", ["AllocationId", "Address", "Size", "SiteId", "Family"]),
        (4, "BlockReallocated", 1, "win:Verbose", "Allocations",
            ["OldAllocationId", "OldAddress", "OldSize", "OldFamily", "NewAllocationId", "NewAddress", "NewSize", "NewFamily", "SiteId"]),
        (5, "Misuse", 1, "win:Warning", "Misuse", ["Kind", "BlockFamily", "CallerFamily", "AllocationId", "Address", "Size", "SiteId", "AllocationSiteId"]),
        (6, "RundownStart", 1, "win:Informational", "Allocations Batched", ["Generation"]),
        (7, "RundownBlock", 1, "win:Verbose", "Allocations Batched", ["AllocationId", "Address", "Size", "SiteId", "Family"]),
        (8, "RundownStop", 1, "win:Informational", "Allocations Batched", ["Generation", "Blocks", "Bytes"]),
        (9, "Heartbeat", 1, "win:Informational", "Diagnostics",
            ["Sequence", "RawLiveBlocks", "RawLiveBytes", "RawAllocations", "RawFrees", "PoolLiveBlocks", "PoolLiveBytes", "PoolAllocations", "PoolFrees", "MisuseCount", "Flags"]),
        (10, "AllocationBatch", 1, "win:Verbose", "Batched", ["FormatVersion", "RecordsSize", "Records"]),
        (20, "ViewAcquired", 1, "win:Verbose", "Views", ["ViewId", "OwnerId", "SiteId", "ViewKind"]),
        (21, "ViewReleased", 1, "win:Verbose", "Views", ["ViewId", "OwnerId", "SiteId", "ViewKind"]),
        (22, "ResizeBlocked", 1, "win:Warning", "Views", ["OwnerId", "SiteId", "RequestedLength", "OutstandingViews"]),
        (23, "ResizeBlockedView", 1, "win:Warning", "Views", ["OwnerId", "ViewId", "AcquireSiteId"]),
        (24, "ViewLeaked", 1, "win:Warning", "Views", ["ViewId", "OwnerId", "SiteId", "ViewKind"]),
        (25, "OwnerCreated", 1, "win:Verbose", "Owners", ["OwnerId", "OwnerKind", "SiteId", "AllocationId"]),
        (26, "OwnerDisposed", 1, "win:Verbose", "Owners", ["OwnerId", "OwnerKind", "SiteId", "AllocationId"]),
        (27, "OwnerFinalized", 1, "win:Warning", "Owners", ["OwnerId", "OwnerKind", "SiteId", "AllocationId", "Bytes", "Family"]),
    ];

    private static readonly (string Name, ulong Mask)[] KeywordSchema =
    [
        ("Allocations", 0x1), ("Views", 0x2), ("Misuse", 0x4), ("Sites", 0x8), ("Diagnostics", 0x10), ("Owners", 0x20), ("Batched", 0x40),
    ];

    [Fact]
    public void The_provider_name_and_guid_are_pinned()
    {
        Assert.Equal("LeakScope-Allocator", EventSource.GetName(typeof(AllocatorEventSource)));
        Assert.Equal(new Guid("fca13002-621b-5000-1ed6-dae5b4cae439"), EventSource.GetGuid(typeof(AllocatorEventSource)));
        Assert.Equal(EventSource.GetGuid(typeof(AllocatorEventSource)), AllocatorEventSource.Log.Guid);
        Assert.Equal("LeakScope-Allocator", AllocatorEventSource.Log.Name);
    }

    [Fact]
    public void The_manifest_passes_strict_validation_and_holds_every_event_as_pinned()
    {
        XElement provider = StrictManifestProvider();

        Assert.Equal("LeakScope-Allocator", (string?)provider.Attribute("name"));
        Assert.Equal("{fca13002-621b-5000-1ed6-dae5b4cae439}", (string?)provider.Attribute("guid"));

        var events = provider.Element(Events + "events")!.Elements(Events + "event")
            .ToDictionary(e => (int)e.Attribute("value")!);
        var templates = provider.Element(Events + "templates")!.Elements(Events + "template")
            .ToDictionary(t => (string)t.Attribute("tid")!);

        Assert.Equal(Schema.Select(s => s.Id).Append(0).Order(), events.Keys.Order());
        foreach ((int id, string name, int version, string level, string keywords, string[] fields) in Schema)
        {
            XElement e = events[id];
            Assert.Equal(name, (string?)e.Attribute("symbol"));
            Assert.Equal(version, (int)e.Attribute("version")!);
            Assert.Equal(level, (string?)e.Attribute("level"));
            Assert.Equal(keywords, (string?)e.Attribute("keywords"));
            string[] actualFields = templates[(string)e.Attribute("template")!].Elements(Events + "data").Select(d => (string)d.Attribute("name")!).ToArray();
            Assert.Equal(fields, actualFields);
        }

        Assert.Equal("EventSourceMessage", (string?)events[0].Attribute("symbol"));
    }

    [Fact]
    public void The_rundown_is_one_task_bracketed_by_start_and_stop()
    {
        XElement provider = StrictManifestProvider();
        var events = provider.Element(Events + "events")!.Elements(Events + "event").ToDictionary(e => (int)e.Attribute("value")!);

        Assert.Equal("Rundown", (string?)events[6].Attribute("task"));
        Assert.Equal("win:Start", (string?)events[6].Attribute("opcode"));
        Assert.Equal("Rundown", (string?)events[8].Attribute("task"));
        Assert.Equal("win:Stop", (string?)events[8].Attribute("opcode"));
    }

    [Fact]
    public void The_manifest_declares_one_keyword_per_concern()
    {
        XElement provider = StrictManifestProvider();
        var keywords = provider.Element(Events + "keywords")!.Elements(Events + "keyword")
            .ToDictionary(k => (string)k.Attribute("name")!, k => Convert.ToUInt64((string)k.Attribute("mask")!, 16));

        foreach ((string name, ulong mask) in KeywordSchema)
        {
            Assert.True(keywords.TryGetValue(name, out ulong actual), $"Keyword {name} is missing from the manifest.");
            Assert.Equal(mask, actual);
        }
    }

    [Fact]
    public unsafe void Exercising_every_operation_never_produces_the_error_event()
    {
        void* early = PoolHeap.Malloc(8); // live when the listener attaches, so the rundown has a block to publish
        using var recorder = new AllocatorEventRecorder();
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        recorder.WaitForRundown();

        void* raw = RawHeap.Calloc(4, 25);
        void* pool = PoolHeap.Malloc(700);
        raw = RawHeap.Realloc(raw, 110);
        raw = RawHeap.Realloc(raw, 2000);
        pool = PoolHeap.Realloc(pool, 30);
        foreach (MisuseScenario scenario in MisuseScenarios.All)
        {
            Victim victim = scenario.Arrange();
            scenario.CleanUpAfterReport(victim, scenario.Misuse(victim));
        }

        RawHeap.Free(raw);
        PoolHeap.Free(pool);
        PoolHeap.Free(early);
        int heartbeats = recorder.Heartbeats.Count;
        recorder.WaitUntil(r => r.Heartbeats.Count > heartbeats, "a heartbeat");

        IReadOnlyList<EventWrittenEventArgs> events = recorder.Events;
        Assert.DoesNotContain(events, e => e.EventId == 0);
        Assert.All(events, e => Assert.Equal(e.PayloadNames?.Count ?? 0, e.Payload?.Count ?? 0));
        int[] seen = events.Select(e => e.EventId).Distinct().Order().ToArray();
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9], seen);
    }

    private static XElement StrictManifestProvider()
    {
        string? manifest = EventSource.GenerateManifest(typeof(AllocatorEventSource), "x", EventManifestOptions.Strict);
        Assert.NotNull(manifest);
        return XDocument.Parse(manifest).Descendants(Events + "provider").Single();
    }
}
