using System.Diagnostics.Tracing;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// <c>LeakScope-Allocator</c>: every allocator operation, for LeakScope's tracer, dotnet-trace and PerfView.
/// The schema only grows: ids are explicit and never reused, new fields go last with a bumped
/// <c>Version</c>. Private <c>[Event]</c> methods take primitives; the <c>[NonEvent]</c> wrappers take
/// domain values; payloads are written by a few shared <c>WriteEventCore</c> overloads below.
/// Event ids 10–19 are reserved for the batched high-rate mode, 20–39 for owners and views.
/// </summary>
[EventSource(Name = SourceName)]
internal sealed partial class AllocatorEventSource : EventSource
{
    public const string SourceName = "LeakScope-Allocator";

    /// <summary>The newest schema version any event of this source carries.</summary>
    public const int SchemaVersion = 1;

    public static readonly AllocatorEventSource Log = new();

    private AllocatorEventSource()
        : base(SourceName, EventSourceSettings.EtwManifestEventFormat)
    {
    }

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
    }

    /// <summary>One keyword per concern, so a session pays only for what it enables.</summary>
    public static class Keywords
    {
        /// <summary>Per-operation block events (and the rundown of live blocks).</summary>
        public const EventKeywords Allocations = (EventKeywords)0x1;

        /// <summary>View acquire / release, blocked resizes, view leaks.</summary>
        public const EventKeywords Views = (EventKeywords)0x2;

        /// <summary>Misuse caught in-process.</summary>
        public const EventKeywords Misuse = (EventKeywords)0x4;

        /// <summary>Site definitions (file, line, member for each site id).</summary>
        public const EventKeywords Sites = (EventKeywords)0x8;

        /// <summary>The heartbeat with authoritative counts.</summary>
        public const EventKeywords Diagnostics = (EventKeywords)0x10;

        /// <summary>Owned arrays and buffers reclaimed by the finalizer.</summary>
        public const EventKeywords Owners = (EventKeywords)0x20;

        /// <summary>The high-rate mode: compact records published in batches instead of per-operation events.</summary>
        public const EventKeywords Batched = (EventKeywords)0x40;
    }

    /// <summary>
    /// Tasks are declared rather than derived: EventSource infers a task and a Start/Stop opcode from
    /// an event name ending in "Start"/"Stop" and, in strict manifest validation, insists that the stop
    /// event's id immediately follow the start's. The rundown brackets its blocks (6, 7, 8), so its
    /// task and opcodes are explicit instead.
    /// </summary>
    public static class Tasks
    {
        public const EventTask Rundown = (EventTask)1;
    }

    public static class Flags
    {
        /// <summary>Heartbeat flag: the counts at process exit (found in the exit file, see <see cref="ExitReport"/>).</summary>
        public const int Final = 1;
    }

    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (Instrumentation.Refresh(this))
        {
            Batching.BatchPublisher.BeginSession();
        }

        if (command.Command == EventCommand.Enable && IsEnabled())
        {
            ExitReport.Configure(command.Arguments);

            // Rundown and heartbeat run on their own thread: a command callback should not walk the heap.
            HeartbeatThread.RequestRundown();
        }
    }

    [Event(EventIds.SiteDefined, Level = EventLevel.Informational, Keywords = Keywords.Sites, Version = 1,
        Message = "Site {0}: {3} at {1}:{2}")]
    private void SiteDefined(int SiteId, string File, int Line, string Member) =>
        WriteSite(EventIds.SiteDefined, SiteId, File, Line, Member);

    [NonEvent]
    public void SiteDefined(int siteId, SiteInfo site) => SiteDefined(siteId, site.File, site.Line, site.Member);

    [Event(EventIds.BlockAllocated, Level = EventLevel.Verbose, Keywords = Keywords.Allocations, Version = 1)]
    private void BlockAllocated(long AllocationId, long Address, long Size, int SiteId, byte Family) =>
        WriteBlock(EventIds.BlockAllocated, AllocationId, Address, Size, SiteId, Family);

    [NonEvent]
    public void BlockAllocated(long allocationId, nint address, nuint size, int siteId, AllocationFamily family) =>
        BlockAllocated(allocationId, address, (long)size, siteId, (byte)family);

    /// <summary>A block freed; <paramref name="SiteId"/> is the freeing call's site.</summary>
    [Event(EventIds.BlockFreed, Level = EventLevel.Verbose, Keywords = Keywords.Allocations, Version = 1)]
    private void BlockFreed(long AllocationId, long Address, long Size, int SiteId, byte Family) =>
        WriteBlock(EventIds.BlockFreed, AllocationId, Address, Size, SiteId, Family);

    [NonEvent]
    public void BlockFreed(long allocationId, nint address, nuint size, int siteId, AllocationFamily family) =>
        BlockFreed(allocationId, address, (long)size, siteId, (byte)family);

    /// <summary>The old allocation ends and a new one begins, sited at the realloc call.</summary>
    [Event(EventIds.BlockReallocated, Level = EventLevel.Verbose, Keywords = Keywords.Allocations, Version = 1)]
    private void BlockReallocated(long OldAllocationId, long OldAddress, long OldSize, byte OldFamily,
        long NewAllocationId, long NewAddress, long NewSize, byte NewFamily, int SiteId) =>
        WriteRealloc(OldAllocationId, OldAddress, OldSize, OldFamily, NewAllocationId, NewAddress, NewSize, NewFamily, SiteId);

    [NonEvent]
    public void BlockReallocated(long oldId, nint oldAddress, nuint oldSize, AllocationFamily oldFamily,
        long newId, nint newAddress, nuint newSize, AllocationFamily newFamily, int siteId) =>
        BlockReallocated(oldId, oldAddress, (long)oldSize, (byte)oldFamily, newId, newAddress, (long)newSize, (byte)newFamily, siteId);

    /// <summary>A misuse caught in-process. <paramref name="SiteId"/> is the offending call; <paramref name="AllocationSiteId"/> where the block came from (0 if unknown).</summary>
    [Event(EventIds.Misuse, Level = EventLevel.Warning, Keywords = Keywords.Misuse, Version = 1)]
    private void Misuse(byte Kind, byte BlockFamily, byte CallerFamily, long AllocationId, long Address, long Size, int SiteId, int AllocationSiteId) =>
        WriteMisuse(Kind, BlockFamily, CallerFamily, AllocationId, Address, Size, SiteId, AllocationSiteId);

    [NonEvent]
    public void Misuse(MisuseKind kind, AllocationFamily blockFamily, AllocationFamily callerFamily, long allocationId, nint address, nuint size, int siteId, int allocationSiteId) =>
        Misuse((byte)kind, (byte)blockFamily, (byte)callerFamily, allocationId, address, (long)size, siteId, allocationSiteId);

    [Event(EventIds.RundownStart, Level = EventLevel.Informational, Keywords = Keywords.Allocations | Keywords.Batched, Version = 1,
        Task = Tasks.Rundown, Opcode = EventOpcode.Start)]
    public void RundownStart(long Generation) => WriteEvent(EventIds.RundownStart, Generation);

    /// <summary>A block that was already live when the session enabled the source.</summary>
    [Event(EventIds.RundownBlock, Level = EventLevel.Verbose, Keywords = Keywords.Allocations | Keywords.Batched, Version = 1)]
    private void RundownBlock(long AllocationId, long Address, long Size, int SiteId, byte Family) =>
        WriteBlock(EventIds.RundownBlock, AllocationId, Address, Size, SiteId, Family);

    [NonEvent]
    public void RundownBlock(long allocationId, nint address, nuint size, int siteId, AllocationFamily family) =>
        RundownBlock(allocationId, address, (long)size, siteId, (byte)family);

    [Event(EventIds.RundownStop, Level = EventLevel.Informational, Keywords = Keywords.Allocations | Keywords.Batched, Version = 1,
        Task = Tasks.Rundown, Opcode = EventOpcode.Stop)]
    public void RundownStop(long Generation, long Blocks, long Bytes) => WriteEvent(EventIds.RundownStop, Generation, Blocks, Bytes);

    /// <summary>Authoritative counts, every ≤ 100 ms while enabled; the final counts at exit go to the exit file (<see cref="Flags.Final"/>).</summary>
    [Event(EventIds.Heartbeat, Level = EventLevel.Informational, Keywords = Keywords.Diagnostics, Version = 1)]
    private void Heartbeat(long Sequence,
        long RawLiveBlocks, long RawLiveBytes, long RawAllocations, long RawFrees,
        long PoolLiveBlocks, long PoolLiveBytes, long PoolAllocations, long PoolFrees,
        long MisuseCount, int Flags) =>
        WriteHeartbeat(Sequence, RawLiveBlocks, RawLiveBytes, RawAllocations, RawFrees, PoolLiveBlocks, PoolLiveBytes, PoolAllocations, PoolFrees, MisuseCount, Flags);

    [NonEvent]
    public void Heartbeat(long sequence, HeapSnapshot snapshot, int flags)
    {
        HeapSnapshot raw = snapshot.For(AllocationFamily.Raw);
        HeapSnapshot pool = snapshot.For(AllocationFamily.Pool);
        Heartbeat(sequence,
            raw.LiveBlocks, raw.LiveBytes, raw.Allocations, raw.Frees,
            pool.LiveBlocks, pool.LiveBytes, pool.Allocations, pool.Frees,
            snapshot.MisuseCount, flags);
    }
}
