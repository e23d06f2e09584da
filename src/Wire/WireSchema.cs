using System.Diagnostics.Tracing;

namespace LeakScope.Wire;

/// <summary>
/// The <c>LeakScope-Allocator</c> event schema, the one definition both sides compile from: the allocator's
/// <c>AllocatorEventSource</c> declares its events with these ids, versions and keywords (a test pins its generated
/// manifest, field names, types and order, to <see cref="Events"/>), and the tracer's decoder reads by them.
/// Rules (docs/wire-schema.md): the schema only grows — ids are never reused, a new field goes last with a bumped
/// version — and a reader accepts every version up to its own and refuses a newer one naming both.
/// </summary>
internal static class WireSchema
{
    public const string ProviderName = "LeakScope-Allocator";

    /// <summary>The provider argument (EventPipe filter data) that names the exit file (docs/exit-file.md).</summary>
    public const string ExitFileArgument = "ExitFile";

    /// <summary>
    /// The provider argument that names the tracer's snapshot socket (docs/reachability.md): at exit the allocator
    /// connects to it, sends its live blocks (<see cref="SnapshotLayout"/>) and holds the exit until the tracer has its
    /// heap snapshot, at most <see cref="SnapshotTimeoutArgument"/> milliseconds.
    /// </summary>
    public const string SnapshotSocketArgument = "SnapshotSocket";

    /// <summary>The provider argument: the longest the allocator holds its exit for a snapshot, in milliseconds.</summary>
    public const string SnapshotTimeoutArgument = "SnapshotTimeoutMs";

    /// <summary>The provider argument that asks a running allocator for a snapshot now (attach mode): any value.</summary>
    public const string SnapshotNowArgument = "SnapshotNow";

    /// <summary>
    /// The provider argument of a tracer's short second session at detach: <c>Flush=&lt;token&gt;</c> asks the target to
    /// publish everything it holds and answer with <see cref="EventIds.DetachFlushed"/> and a heartbeat (docs/reliability.md).
    /// </summary>
    public const string FlushArgument = "Flush";

    /// <summary>
    /// The provider argument that asks for stacks: <c>all</c> (a <c>StackSample</c> for every allocation and realloc) or
    /// <c>sampled</c> (by bytes, plus the first allocation at every site). A session that enables <see cref="Keywords.Stacks"/>
    /// without it gets <c>sampled</c> (docs/stacks.md).
    /// </summary>
    public const string StacksArgument = "Stacks";

    /// <summary>The provider argument: the sampled mode's mean interval in bytes between samples.</summary>
    public const string StackSampleBytesArgument = "StackSampleBytes";

    /// <summary>
    /// The provider argument (<c>1</c>) that marks a session carrying only stacks beside another session that carries the
    /// blocks: enabling it neither starts a rundown of live blocks nor names an exit file.
    /// </summary>
    public const string StackSessionArgument = "StackSession";

    /// <summary>One keyword per concern, so a session pays only for what it enables.</summary>
    public static class Keywords
    {
        /// <summary>Per-operation block events (and the rundown of live blocks, which <see cref="Batched"/> enables too).</summary>
        public const long Allocations = 0x1;

        /// <summary>View acquire / release, blocked resizes, view leaks.</summary>
        public const long Views = 0x2;

        /// <summary>Misuse caught in-process.</summary>
        public const long Misuse = 0x4;

        /// <summary>Site definitions (file, line, member for each site id).</summary>
        public const long Sites = 0x8;

        /// <summary>The heartbeat with authoritative counts.</summary>
        public const long Diagnostics = 0x10;

        /// <summary>Owned arrays and buffers: created, disposed, reclaimed by the finalizer.</summary>
        public const long Owners = 0x20;

        /// <summary>The high-rate mode: compact records published in batches instead of per-operation events.</summary>
        public const long Batched = 0x40;

        /// <summary>
        /// <c>StackSample</c> events, written on the allocating thread so that a session with stack walking gives each its
        /// stack. Only a session that walks stacks should enable it; misuse, view and owner events carry their stacks there too.
        /// </summary>
        public const long Stacks = 0x80;
    }

    /// <summary>Event ids: 1–9 block events, 10–19 the batched mode and its flush at detach, 20–39 owners, views, diagnostics and stacks. Never reused.</summary>
    public static class EventIds
    {
        public const int SiteDefined = 1;
        public const int BlockAllocated = 2;
        public const int BlockFreed = 3;
        public const int BlockReallocated = 4;
        public const int Misuse = 5;
        public const int RundownStart = 6;
        public const int RundownBlock = 7;
        public const int RundownStop = 8;
        public const int Heartbeat = 9;
        public const int AllocationBatch = 10;
        public const int DetachFlushed = 11;
        public const int ViewAcquired = 20;
        public const int ViewReleased = 21;
        public const int ResizeBlocked = 22;
        public const int ResizeBlockedView = 23;
        public const int ViewLeaked = 24;
        public const int OwnerCreated = 25;
        public const int OwnerDisposed = 26;
        public const int OwnerFinalized = 27;
        public const int StackSample = 29;
    }

    /// <summary>The newest version of each event, as its <c>[Event(Version = …)]</c> declares it.</summary>
    public static class Versions
    {
        /// <summary>2: <c>File</c> and <c>Member</c> are escaped (<see cref="SiteString"/>), <c>FileLength</c> and <c>MemberLength</c> appended.</summary>
        public const int SiteDefined = 2;

        /// <summary>
        /// 2: the tracked families' counts appended after <c>Flags</c> — <c>Native</c>, <c>Aligned</c>, <c>HGlobal</c>,
        /// <c>CoTaskMem</c>, each {LiveBlocks, LiveBytes, Allocations, Frees} (<see cref="HeartbeatVersion1Fields"/> fields before them).
        /// </summary>
        public const int Heartbeat = 2;

        /// <summary>The fields of <c>Heartbeat</c> version 1 (raw and pool counts only): a reader of version 1 stops there.</summary>
        public const int HeartbeatVersion1Fields = 11;

        /// <summary>Every other event is at its first version.</summary>
        public const int Initial = 1;

        /// <summary>The newest version of any event (a test checks it is the largest of <see cref="Events"/>).</summary>
        public const int Newest = SiteDefined > Heartbeat ? SiteDefined : Heartbeat;
    }

    /// <summary>The rundown brackets its blocks with start / stop opcodes of one task.</summary>
    public static class Tasks
    {
        public const int Rundown = 1;
    }

    private static readonly FieldSchema[] BlockFields =
        [new("AllocationId", WireType.Int64), new("Address", WireType.Int64), new("Size", WireType.Int64), new("SiteId", WireType.Int32), new("Family", WireType.UInt8)];

    private static readonly FieldSchema[] ViewFields =
        [new("ViewId", WireType.Int64), new("OwnerId", WireType.Int64), new("SiteId", WireType.Int32), new("ViewKind", WireType.UInt8)];

    private static readonly FieldSchema[] OwnerFields =
        [new("OwnerId", WireType.Int64), new("OwnerKind", WireType.UInt8), new("SiteId", WireType.Int32), new("AllocationId", WireType.Int64)];

    /// <summary>Every event, by id: the newest version's fields in payload order.</summary>
    public static IReadOnlyList<EventSchema> Events { get; } =
    [
        new(EventIds.SiteDefined, "SiteDefined", Versions.SiteDefined, EventLevel.Informational, Keywords.Sites,
            new("SiteId", WireType.Int32), new("File", WireType.UnicodeString), new("Line", WireType.Int32), new("Member", WireType.UnicodeString),
            new("FileLength", WireType.Int32), new("MemberLength", WireType.Int32)),
        new(EventIds.BlockAllocated, "BlockAllocated", Versions.Initial, EventLevel.Verbose, Keywords.Allocations, BlockFields),
        new(EventIds.BlockFreed, "BlockFreed", Versions.Initial, EventLevel.Verbose, Keywords.Allocations, BlockFields),
        new(EventIds.BlockReallocated, "BlockReallocated", Versions.Initial, EventLevel.Verbose, Keywords.Allocations,
            new("OldAllocationId", WireType.Int64), new("OldAddress", WireType.Int64), new("OldSize", WireType.Int64), new("OldFamily", WireType.UInt8),
            new("NewAllocationId", WireType.Int64), new("NewAddress", WireType.Int64), new("NewSize", WireType.Int64), new("NewFamily", WireType.UInt8), new("SiteId", WireType.Int32)),
        new(EventIds.Misuse, "Misuse", Versions.Initial, EventLevel.Warning, Keywords.Misuse,
            new("Kind", WireType.UInt8), new("BlockFamily", WireType.UInt8), new("CallerFamily", WireType.UInt8), new("AllocationId", WireType.Int64), new("Address", WireType.Int64),
            new("Size", WireType.Int64), new("SiteId", WireType.Int32), new("AllocationSiteId", WireType.Int32)),
        new(EventIds.RundownStart, "RundownStart", Versions.Initial, EventLevel.Informational, Keywords.Allocations | Keywords.Batched,
            new FieldSchema("Generation", WireType.Int64)),
        new(EventIds.RundownBlock, "RundownBlock", Versions.Initial, EventLevel.Verbose, Keywords.Allocations | Keywords.Batched, BlockFields),
        new(EventIds.RundownStop, "RundownStop", Versions.Initial, EventLevel.Informational, Keywords.Allocations | Keywords.Batched,
            new("Generation", WireType.Int64), new("Blocks", WireType.Int64), new("Bytes", WireType.Int64)),
        new(EventIds.Heartbeat, "Heartbeat", Versions.Heartbeat, EventLevel.Informational, Keywords.Diagnostics,
            new("Sequence", WireType.Int64),
            new("RawLiveBlocks", WireType.Int64), new("RawLiveBytes", WireType.Int64), new("RawAllocations", WireType.Int64), new("RawFrees", WireType.Int64),
            new("PoolLiveBlocks", WireType.Int64), new("PoolLiveBytes", WireType.Int64), new("PoolAllocations", WireType.Int64), new("PoolFrees", WireType.Int64),
            new("MisuseCount", WireType.Int64), new("Flags", WireType.Int32),
            new("NativeLiveBlocks", WireType.Int64), new("NativeLiveBytes", WireType.Int64), new("NativeAllocations", WireType.Int64), new("NativeFrees", WireType.Int64),
            new("AlignedLiveBlocks", WireType.Int64), new("AlignedLiveBytes", WireType.Int64), new("AlignedAllocations", WireType.Int64), new("AlignedFrees", WireType.Int64),
            new("HGlobalLiveBlocks", WireType.Int64), new("HGlobalLiveBytes", WireType.Int64), new("HGlobalAllocations", WireType.Int64), new("HGlobalFrees", WireType.Int64),
            new("CoTaskMemLiveBlocks", WireType.Int64), new("CoTaskMemLiveBytes", WireType.Int64), new("CoTaskMemAllocations", WireType.Int64), new("CoTaskMemFrees", WireType.Int64)),
        new(EventIds.AllocationBatch, "AllocationBatch", Versions.Initial, EventLevel.Verbose, Keywords.Batched,
            new("FormatVersion", WireType.Int32), new("Records", WireType.Binary)),
        new(EventIds.DetachFlushed, "DetachFlushed", Versions.Initial, EventLevel.Informational, Keywords.Diagnostics,
            new("Token", WireType.Int64), new("HeartbeatSequence", WireType.Int64)),
        new(EventIds.ViewAcquired, "ViewAcquired", Versions.Initial, EventLevel.Verbose, Keywords.Views, ViewFields),
        new(EventIds.ViewReleased, "ViewReleased", Versions.Initial, EventLevel.Verbose, Keywords.Views, ViewFields),
        new(EventIds.ResizeBlocked, "ResizeBlocked", Versions.Initial, EventLevel.Warning, Keywords.Views,
            new("OwnerId", WireType.Int64), new("SiteId", WireType.Int32), new("RequestedLength", WireType.Int64), new("OutstandingViews", WireType.Int32)),
        new(EventIds.ResizeBlockedView, "ResizeBlockedView", Versions.Initial, EventLevel.Warning, Keywords.Views,
            new("OwnerId", WireType.Int64), new("ViewId", WireType.Int64), new("AcquireSiteId", WireType.Int32)),
        new(EventIds.ViewLeaked, "ViewLeaked", Versions.Initial, EventLevel.Warning, Keywords.Views, ViewFields),
        new(EventIds.OwnerCreated, "OwnerCreated", Versions.Initial, EventLevel.Verbose, Keywords.Owners, OwnerFields),
        new(EventIds.OwnerDisposed, "OwnerDisposed", Versions.Initial, EventLevel.Verbose, Keywords.Owners, OwnerFields),
        new(EventIds.OwnerFinalized, "OwnerFinalized", Versions.Initial, EventLevel.Warning, Keywords.Owners,
            [.. OwnerFields, new("Bytes", WireType.Int64), new("Family", WireType.UInt8)]),
        new(EventIds.StackSample, "StackSample", Versions.Initial, EventLevel.Verbose, Keywords.Stacks,
            new("Operation", WireType.UInt8), new("Reason", WireType.UInt8), new("AllocationId", WireType.Int64), new("Size", WireType.Int64),
            new("SiteId", WireType.Int32), new("SampleBytes", WireType.Int64)),
    ];

    private static readonly EventSchema?[] s_byId = ById();

    /// <summary>The schema of event <paramref name="eventId"/>, or null for an id this schema does not define.</summary>
    public static EventSchema? Find(int eventId) => (uint)eventId < (uint)s_byId.Length ? s_byId[eventId] : null;

    /// <summary>The name of an event id, for messages.</summary>
    public static string NameOf(int eventId) => Find(eventId)?.Name ?? $"event {eventId}";

    private static EventSchema?[] ById()
    {
        var byId = new EventSchema?[Events.Max(e => e.Id) + 1];
        foreach (EventSchema e in Events)
        {
            byId[e.Id] = e;
        }

        return byId;
    }
}
