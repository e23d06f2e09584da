using System.Diagnostics.Tracing;
using System.Xml.Linq;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.MisuseTarget;
using LeakScope.Allocator.Tests.Support;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// Pins the published schema of <c>LeakScope-Allocator</c> to the one definition in src/Wire (<see cref="WireSchema"/>):
/// the provider name and Guid that tracers enable, and every event's id, name, version, level, keywords and payload
/// fields — names, types and order — as the generated manifest declares them and as an in-process listener receives
/// them. The schema only grows (docs/wire-schema.md). Also checks that writing every event never makes the source emit
/// its own error event (id 0), which is how EventSource reports a malformed event.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public class EventSchemaTests
{
    private static readonly XNamespace Events = "http://schemas.microsoft.com/win/2004/08/events";

    [Fact]
    public void The_provider_name_and_guid_are_pinned()
    {
        Assert.Equal("LeakScope-Allocator", EventSource.GetName(typeof(AllocatorEventSource)));
        Assert.Equal(new Guid("fca13002-621b-5000-1ed6-dae5b4cae439"), EventSource.GetGuid(typeof(AllocatorEventSource)));
        Assert.Equal(EventSource.GetGuid(typeof(AllocatorEventSource)), AllocatorEventSource.Log.Guid);
        Assert.Equal("LeakScope-Allocator", AllocatorEventSource.Log.Name);
    }

    [Fact]
    public void The_manifest_passes_strict_validation_and_holds_every_event_of_the_wire_schema_with_its_field_types_in_order()
    {
        XElement provider = StrictManifestProvider();

        Assert.Equal(WireSchema.ProviderName, (string?)provider.Attribute("name"));
        Assert.Equal("{fca13002-621b-5000-1ed6-dae5b4cae439}", (string?)provider.Attribute("guid"));

        var events = provider.Element(Events + "events")!.Elements(Events + "event")
            .ToDictionary(e => (int)e.Attribute("value")!);
        var templates = provider.Element(Events + "templates")!.Elements(Events + "template")
            .ToDictionary(t => (string)t.Attribute("tid")!);

        Assert.Equal(WireSchema.Events.Select(s => s.Id).Append(0).Order(), events.Keys.Order());
        foreach (EventSchema schema in WireSchema.Events)
        {
            XElement e = events[schema.Id];
            Assert.Equal(schema.Name, (string?)e.Attribute("symbol"));
            Assert.Equal(schema.Version, (int)e.Attribute("version")!);
            Assert.Equal(ManifestLevel(schema.Level), (string?)e.Attribute("level"));
            Assert.Equal(KeywordNames(schema.Keywords), (string?)e.Attribute("keywords"));
            (string Name, string Type)[] declared = templates[(string)e.Attribute("template")!].Elements(Events + "data")
                .Select(d => ((string)d.Attribute("name")!, (string)d.Attribute("inType")!)).ToArray();
            Assert.Equal(ManifestFields(schema), declared);
        }

        Assert.Equal("EventSourceMessage", (string?)events[0].Attribute("symbol"));
    }

    [Fact]
    public void The_wire_schema_keeps_its_own_rules()
    {
        Assert.Equal(WireSchema.Events.Count, WireSchema.Events.Select(e => e.Id).Distinct().Count());
        Assert.Equal(WireSchema.Events.Count, WireSchema.Events.Select(e => e.Name).Distinct().Count());
        Assert.DoesNotContain(WireSchema.Events, e => e.Id <= 0 || e.Version < 1 || e.Fields.Length == 0);
        Assert.Equal(WireSchema.Versions.Newest, WireSchema.Events.Max(e => e.Version));
        Assert.All(WireSchema.Events, e => Assert.Same(e, WireSchema.Find(e.Id)));
        Assert.Null(WireSchema.Find(0));
        Assert.Null(WireSchema.Find(-1));
        Assert.Null(WireSchema.Find(WireSchema.Events.Max(e => e.Id) + 1));

        // The exit file's heartbeat sections are the Heartbeat event's payload: version 2 (raw, pool, misuse, flags, then
        // the four tracked families) under tag 3, version 1 (the same without the tracked families) under tag 2.
        Assert.Equal(8 + (2 * 4 * 8) + 8 + 4 + (4 * 4 * 8), ExitFileLayout.HeartbeatLength);
        Assert.Equal(8 + (2 * 4 * 8) + 8 + 4, ExitFileLayout.HeartbeatVersion1Length);
        Assert.Equal(ExitFileLayout.Heartbeat.Fields.Length, typeof(AllocatorEventSource).GetMethods(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            .Single(m => m.Name == "Heartbeat" && m.GetCustomAttributes(typeof(EventAttribute), false).Length == 1).GetParameters().Length);
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

        // EventSource adds its own session keywords (Session0…Session3, in the top bits); every other one is the schema's.
        Assert.Equal(
            WireKeywords().Select(k => (k.Name, (ulong)k.Mask)).Order(),
            keywords.Where(k => !k.Key.StartsWith("Session", StringComparison.Ordinal)).Select(k => (k.Key, k.Value)).Order());
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
        // Every keyword is on, Stacks too: the first allocation at each site also writes its StackSample (29).
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 29], seen);
    }

    /// <summary>
    /// Every event id of the schema, written by its real writer method, reaches a listener without the error event and
    /// with every payload field of the schema's name and CLR type, in order. A new event without a case here fails.
    /// </summary>
    [Fact]
    public unsafe void Writing_every_event_of_the_schema_never_produces_the_error_event_and_delivers_each_field_typed_as_declared()
    {
        using var recorder = new AllocatorEventRecorder();
        recorder.WaitForRundown();
        AllocatorEventSource log = AllocatorEventSource.Log;
        const long Id = 0x0102030405060708;
        const int Site = 0x01020304;
        byte[] records = [1, 2, 3];

        var written = new Dictionary<int, Action>
        {
            [WireSchema.EventIds.SiteDefined] = () => log.SiteDefined(Site, new SiteInfo("/src/a\0b.cs", 7, "M")),
            [WireSchema.EventIds.BlockAllocated] = () => log.BlockAllocated(Id, 0x1000, 48, Site, AllocationFamily.Raw),
            [WireSchema.EventIds.BlockFreed] = () => log.BlockFreed(Id, 0x1000, 48, Site, AllocationFamily.Raw),
            [WireSchema.EventIds.BlockReallocated] = () => log.BlockReallocated(Id, 0x1000, 48, AllocationFamily.Raw, Id + 1, 0x2000, 96, AllocationFamily.Pool, Site),
            [WireSchema.EventIds.Misuse] = () => log.Misuse(MisuseKind.DoubleFree, AllocationFamily.Pool, AllocationFamily.Raw, Id, 0x1000, 48, Site, Site + 1),
            [WireSchema.EventIds.RundownStart] = () => log.RundownStart(-5),
            [WireSchema.EventIds.RundownBlock] = () => log.RundownBlock(Id, 0x1000, 48, Site, AllocationFamily.Pool),
            [WireSchema.EventIds.RundownStop] = () => log.RundownStop(-5, 1, 48),
            [WireSchema.EventIds.Heartbeat] = () => log.Heartbeat(-7, HeapStats.Capture(), WireHeartbeatFlags.Batched),
            [WireSchema.EventIds.AllocationBatch] = () =>
            {
                fixed (byte* p = records)
                {
                    log.AllocationBatch(WireSchema.Versions.Initial, p, records.Length);
                }
            },
            [WireSchema.EventIds.DetachFlushed] = () => log.DetachFlushed(Id, -9),
            [WireSchema.EventIds.ViewAcquired] = () => log.ViewAcquired(Id, Id + 1, Site, ViewKind.Strided),
            [WireSchema.EventIds.ViewReleased] = () => log.ViewReleased(Id, Id + 1, Site, ViewKind.Pin),
            [WireSchema.EventIds.ResizeBlocked] = () => log.ResizeBlocked(Id + 1, Site, 1L << 40, 3),
            [WireSchema.EventIds.ResizeBlockedView] = () => log.ResizeBlockedView(Id + 1, Id, Site),
            [WireSchema.EventIds.ViewLeaked] = () => log.ViewLeaked(Id, Id + 1, Site, ViewKind.View),
            [WireSchema.EventIds.OwnerCreated] = () => log.OwnerCreated(Id + 1, OwnerKind.NativeBuffer, Site, Id),
            [WireSchema.EventIds.OwnerDisposed] = () => log.OwnerDisposed(Id + 1, OwnerKind.NativeArray, Site, Id),
            [WireSchema.EventIds.OwnerFinalized] = () => log.OwnerFinalized(Id + 1, OwnerKind.NativeBuffer, Site, Id, 4096, AllocationFamily.Pool),
            [WireSchema.EventIds.StackSample] = () => log.StackSample(WireStackOperation.Reallocate, WireStackReason.Sampled, Id, 4096, Site, 1L << 40),
        };
        Assert.Equal(WireSchema.Events.Select(e => e.Id).Order(), written.Keys.Order());

        foreach ((int id, Action write) in written)
        {
            int before = recorder.WithId(id).Count();
            write();
            recorder.WaitUntil(r => r.WithId(id).Count() > before, WireSchema.NameOf(id));
        }

        IReadOnlyList<EventWrittenEventArgs> events = recorder.Events;
        Assert.DoesNotContain(events, e => e.EventId == 0);
        foreach (EventSchema schema in WireSchema.Events)
        {
            EventWrittenEventArgs e = recorder.WithId(schema.Id).Last();
            Assert.Equal(schema.Version, e.Version);
            Assert.Equal(schema.Fields.Select(f => f.Name), e.PayloadNames!);
            Assert.Equal(schema.Fields.Select(f => ClrType(f.Type)), e.Payload!.Select(v => v?.GetType()));
        }
    }

    private static Type ClrType(WireType type) => type switch
    {
        WireType.UInt8 => typeof(byte),
        WireType.Int32 => typeof(int),
        WireType.Int64 => typeof(long),
        WireType.UnicodeString => typeof(string),
        WireType.Binary => typeof(byte[]),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static IEnumerable<(string Name, string Type)> ManifestFields(EventSchema schema)
    {
        foreach (FieldSchema field in schema.Fields)
        {
            switch (field.Type)
            {
                case WireType.UInt8: yield return (field.Name, "win:UInt8"); break;
                case WireType.Int32: yield return (field.Name, "win:Int32"); break;
                case WireType.Int64: yield return (field.Name, "win:Int64"); break;
                case WireType.UnicodeString: yield return (field.Name, "win:UnicodeString"); break;
                case WireType.Binary:
                    yield return (field.Name + "Size", "win:UInt32");
                    yield return (field.Name, "win:Binary");
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(schema), field.Type, "not a wire type");
            }
        }
    }

    private static string ManifestLevel(EventLevel level) => level switch
    {
        EventLevel.Verbose => "win:Verbose",
        EventLevel.Informational => "win:Informational",
        EventLevel.Warning => "win:Warning",
        EventLevel.Error => "win:Error",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    private static IEnumerable<(string Name, long Mask)> WireKeywords() =>
        typeof(WireSchema.Keywords).GetFields().Select(f => (f.Name, (long)f.GetRawConstantValue()!));

    private static string KeywordNames(long keywords) =>
        string.Join(' ', WireKeywords().Where(k => (keywords & k.Mask) != 0).OrderBy(k => k.Mask).Select(k => k.Name));

    private static XElement StrictManifestProvider()
    {
        string? manifest = EventSource.GenerateManifest(typeof(AllocatorEventSource), "x", EventManifestOptions.Strict);
        Assert.NotNull(manifest);
        return XDocument.Parse(manifest).Descendants(Events + "provider").Single();
    }
}
