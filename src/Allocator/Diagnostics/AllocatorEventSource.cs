using System.Diagnostics.Tracing;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// <c>LeakScope-Allocator</c>: every allocator operation, for LeakScope's tracer, dotnet-trace and PerfView.
/// Ids, keywords, versions and field layouts come from <see cref="WireSchema"/> (src/Wire), which the tracer compiles
/// too; a test pins this source's manifest to it. The schema only grows: ids are explicit and never reused, new fields
/// go last with a bumped <c>Version</c>. Private <c>[Event]</c> methods take primitives; the <c>[NonEvent]</c> wrappers take
/// domain values; payloads are written by a few shared <c>WriteEventCore</c> overloads below.
/// Event ids 10–19 are reserved for the batched high-rate mode, 20–39 for owners and views.
/// </summary>
[EventSource(Name = SourceName)]
internal sealed partial class AllocatorEventSource : EventSource
{
    public const string SourceName = WireSchema.ProviderName;

    public static readonly AllocatorEventSource Log = new();

    private AllocatorEventSource()
        : base(SourceName, EventSourceSettings.EtwManifestEventFormat)
    {
    }

    /// <summary>One keyword per concern, so a session pays only for what it enables.</summary>
    public static class Keywords
    {
        /// <summary>Per-operation block events (and the rundown of live blocks, which <see cref="Batched"/> enables too).</summary>
        public const EventKeywords Allocations = (EventKeywords)WireSchema.Keywords.Allocations;

        /// <summary>View acquire / release, blocked resizes, view leaks.</summary>
        public const EventKeywords Views = (EventKeywords)WireSchema.Keywords.Views;

        /// <summary>Misuse caught in-process.</summary>
        public const EventKeywords Misuse = (EventKeywords)WireSchema.Keywords.Misuse;

        /// <summary>Site definitions (file, line, member for each site id).</summary>
        public const EventKeywords Sites = (EventKeywords)WireSchema.Keywords.Sites;

        /// <summary>The heartbeat with authoritative counts.</summary>
        public const EventKeywords Diagnostics = (EventKeywords)WireSchema.Keywords.Diagnostics;

        /// <summary>Owned arrays and buffers reclaimed by the finalizer.</summary>
        public const EventKeywords Owners = (EventKeywords)WireSchema.Keywords.Owners;

        /// <summary>The high-rate mode: compact records published in batches instead of per-operation events.</summary>
        public const EventKeywords Batched = (EventKeywords)WireSchema.Keywords.Batched;

        /// <summary><c>StackSample</c> events for a stack-walking session (<see cref="StackSampler"/>).</summary>
        public const EventKeywords Stacks = (EventKeywords)WireSchema.Keywords.Stacks;
    }

    /// <summary>
    /// Tasks are declared rather than derived: EventSource infers a task and a Start/Stop opcode from
    /// an event name ending in "Start"/"Stop" and, in strict manifest validation, insists that the stop
    /// event's id immediately follow the start's. The rundown brackets its blocks (6, 7, 8), so its
    /// task and opcodes are explicit instead.
    /// </summary>
    public static class Tasks
    {
        public const EventTask Rundown = (EventTask)WireSchema.Tasks.Rundown;
    }

    public static class Flags
    {
        /// <summary>Heartbeat flag: the counts at process exit (found in the exit file, see <see cref="ExitReport"/>).</summary>
        public const int Final = WireHeartbeatFlags.Final;

        /// <summary>
        /// Heartbeat flag: block operations are being published in batches (the high-rate mode), so the records of the
        /// last moments before exit travel in the exit file. Tells a reader of a recording which mode it was made in.
        /// </summary>
        public const int Batched = WireHeartbeatFlags.Batched;
    }

    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command == EventCommand.Enable)
        {
            StackSampler.Configure(command.Arguments);
        }

        if (Instrumentation.Refresh(this))
        {
            Batching.BatchingSession.Shared.Start();
        }

        // A session that carries only stacks rides beside one that carries the blocks: that one had its rundown.
        if (command.Command == EventCommand.Enable && IsEnabled() && !StackSampler.IsStackSession(command.Arguments))
        {
            if (TryReadFlushToken(command.Arguments, out long token))
            {
                // A detaching tracer's short second session: it wants the tail flushed, not another rundown.
                HeartbeatThread.RequestFlush(token);
                return;
            }

            ExitReport.Configure(command.Arguments);
            SnapshotHold.Configure(command.Arguments);

            // Rundown and heartbeat run on their own thread: a command callback should not walk the heap.
            HeartbeatThread.RequestRundown();
        }
    }

    private static bool TryReadFlushToken(IDictionary<string, string?>? arguments, out long token)
    {
        token = 0;
        return arguments is not null
            && arguments.TryGetValue(WireSchema.FlushArgument, out string? value)
            && long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out token);
    }

    /// <summary>
    /// A site's file, line and member. <paramref name="File"/> and <paramref name="Member"/> are escaped and cut as
    /// <see cref="SiteString"/> says (a NUL inside would end the string field early; an event over 64 KB is dropped);
    /// <paramref name="FileLength"/> and <paramref name="MemberLength"/> are the original lengths, so a reader knows a cut.
    /// </summary>
    [Event(WireSchema.EventIds.SiteDefined, Level = EventLevel.Informational, Keywords = Keywords.Sites, Version = WireSchema.Versions.SiteDefined,
        Message = "Site {0}: {3} at {1}:{2}")]
    private void SiteDefined(int SiteId, string File, int Line, string Member, int FileLength, int MemberLength) =>
        WriteSite(SiteId, File, Line, Member, FileLength, MemberLength);

    [NonEvent]
    public void SiteDefined(int siteId, SiteInfo site) =>
        SiteDefined(siteId, SiteString.Encode(site.File), site.Line, SiteString.Encode(site.Member), site.File.Length, site.Member.Length);

    [Event(WireSchema.EventIds.BlockAllocated, Level = EventLevel.Verbose, Keywords = Keywords.Allocations, Version = WireSchema.Versions.Initial)]
    private void BlockAllocated(long AllocationId, long Address, long Size, int SiteId, byte Family) =>
        WriteBlock(WireSchema.EventIds.BlockAllocated, AllocationId, Address, Size, SiteId, Family);

    [NonEvent]
    public void BlockAllocated(long allocationId, nint address, nuint size, int siteId, AllocationFamily family) =>
        BlockAllocated(allocationId, address, (long)size, siteId, (byte)family);

    /// <summary>A block freed; <paramref name="SiteId"/> is the freeing call's site.</summary>
    [Event(WireSchema.EventIds.BlockFreed, Level = EventLevel.Verbose, Keywords = Keywords.Allocations, Version = WireSchema.Versions.Initial)]
    private void BlockFreed(long AllocationId, long Address, long Size, int SiteId, byte Family) =>
        WriteBlock(WireSchema.EventIds.BlockFreed, AllocationId, Address, Size, SiteId, Family);

    [NonEvent]
    public void BlockFreed(long allocationId, nint address, nuint size, int siteId, AllocationFamily family) =>
        BlockFreed(allocationId, address, (long)size, siteId, (byte)family);

    /// <summary>The old allocation ends and a new one begins, sited at the realloc call.</summary>
    [Event(WireSchema.EventIds.BlockReallocated, Level = EventLevel.Verbose, Keywords = Keywords.Allocations, Version = WireSchema.Versions.Initial)]
    private void BlockReallocated(long OldAllocationId, long OldAddress, long OldSize, byte OldFamily,
        long NewAllocationId, long NewAddress, long NewSize, byte NewFamily, int SiteId) =>
        WriteRealloc(OldAllocationId, OldAddress, OldSize, OldFamily, NewAllocationId, NewAddress, NewSize, NewFamily, SiteId);

    [NonEvent]
    public void BlockReallocated(long oldId, nint oldAddress, nuint oldSize, AllocationFamily oldFamily,
        long newId, nint newAddress, nuint newSize, AllocationFamily newFamily, int siteId) =>
        BlockReallocated(oldId, oldAddress, (long)oldSize, (byte)oldFamily, newId, newAddress, (long)newSize, (byte)newFamily, siteId);

    /// <summary>A misuse caught in-process. <paramref name="SiteId"/> is the offending call; <paramref name="AllocationSiteId"/> where the block came from (0 if unknown).</summary>
    [Event(WireSchema.EventIds.Misuse, Level = EventLevel.Warning, Keywords = Keywords.Misuse, Version = WireSchema.Versions.Initial)]
    private void Misuse(byte Kind, byte BlockFamily, byte CallerFamily, long AllocationId, long Address, long Size, int SiteId, int AllocationSiteId) =>
        WriteMisuse(Kind, BlockFamily, CallerFamily, AllocationId, Address, Size, SiteId, AllocationSiteId);

    [NonEvent]
    public void Misuse(MisuseKind kind, AllocationFamily blockFamily, AllocationFamily callerFamily, long allocationId, nint address, nuint size, int siteId, int allocationSiteId) =>
        Misuse((byte)kind, (byte)blockFamily, (byte)callerFamily, allocationId, address, (long)size, siteId, allocationSiteId);

    [Event(WireSchema.EventIds.RundownStart, Level = EventLevel.Informational, Keywords = Keywords.Allocations | Keywords.Batched, Version = WireSchema.Versions.Initial,
        Task = Tasks.Rundown, Opcode = EventOpcode.Start)]
    public void RundownStart(long Generation) => WriteEvent(WireSchema.EventIds.RundownStart, Generation);

    /// <summary>A block that was already live when the session enabled the source.</summary>
    [Event(WireSchema.EventIds.RundownBlock, Level = EventLevel.Verbose, Keywords = Keywords.Allocations | Keywords.Batched, Version = WireSchema.Versions.Initial)]
    private void RundownBlock(long AllocationId, long Address, long Size, int SiteId, byte Family) =>
        WriteBlock(WireSchema.EventIds.RundownBlock, AllocationId, Address, Size, SiteId, Family);

    [NonEvent]
    public void RundownBlock(long allocationId, nint address, nuint size, int siteId, AllocationFamily family) =>
        RundownBlock(allocationId, address, (long)size, siteId, (byte)family);

    [Event(WireSchema.EventIds.RundownStop, Level = EventLevel.Informational, Keywords = Keywords.Allocations | Keywords.Batched, Version = WireSchema.Versions.Initial,
        Task = Tasks.Rundown, Opcode = EventOpcode.Stop)]
    public void RundownStop(long Generation, long Blocks, long Bytes) => WriteEvent(WireSchema.EventIds.RundownStop, Generation, Blocks, Bytes);

    /// <summary>Authoritative counts, every ≤ 100 ms while enabled; the final counts at exit go to the exit file (<see cref="Flags.Final"/>).</summary>
    [Event(WireSchema.EventIds.Heartbeat, Level = EventLevel.Informational, Keywords = Keywords.Diagnostics, Version = WireSchema.Versions.Heartbeat)]
    private void Heartbeat(long Sequence,
        long RawLiveBlocks, long RawLiveBytes, long RawAllocations, long RawFrees,
        long PoolLiveBlocks, long PoolLiveBytes, long PoolAllocations, long PoolFrees,
        long MisuseCount, int Flags,
        long NativeLiveBlocks, long NativeLiveBytes, long NativeAllocations, long NativeFrees,
        long AlignedLiveBlocks, long AlignedLiveBytes, long AlignedAllocations, long AlignedFrees,
        long HGlobalLiveBlocks, long HGlobalLiveBytes, long HGlobalAllocations, long HGlobalFrees,
        long CoTaskMemLiveBlocks, long CoTaskMemLiveBytes, long CoTaskMemAllocations, long CoTaskMemFrees)
    {
        ReadOnlySpan<long> counts =
        [
            Sequence, RawLiveBlocks, RawLiveBytes, RawAllocations, RawFrees, PoolLiveBlocks, PoolLiveBytes, PoolAllocations, PoolFrees, MisuseCount,
            NativeLiveBlocks, NativeLiveBytes, NativeAllocations, NativeFrees, AlignedLiveBlocks, AlignedLiveBytes, AlignedAllocations, AlignedFrees,
            HGlobalLiveBlocks, HGlobalLiveBytes, HGlobalAllocations, HGlobalFrees, CoTaskMemLiveBlocks, CoTaskMemLiveBytes, CoTaskMemAllocations, CoTaskMemFrees,
        ];
        WriteHeartbeat(counts, Flags);
    }

    /// <summary>The families whose counts a <c>Heartbeat</c> carries, in its field order (WireSchema).</summary>
    internal static ReadOnlySpan<AllocationFamily> HeartbeatFamilies =>
        [AllocationFamily.Raw, AllocationFamily.Pool, AllocationFamily.Native, AllocationFamily.Aligned, AllocationFamily.HGlobal, AllocationFamily.CoTaskMem];

    [NonEvent]
    public void Heartbeat(long sequence, HeapSnapshot snapshot, int flags)
    {
        HeapSnapshot raw = snapshot.For(AllocationFamily.Raw);
        HeapSnapshot pool = snapshot.For(AllocationFamily.Pool);
        HeapSnapshot native = snapshot.For(AllocationFamily.Native);
        HeapSnapshot aligned = snapshot.For(AllocationFamily.Aligned);
        HeapSnapshot hglobal = snapshot.For(AllocationFamily.HGlobal);
        HeapSnapshot cotaskmem = snapshot.For(AllocationFamily.CoTaskMem);
        Heartbeat(sequence,
            raw.LiveBlocks, raw.LiveBytes, raw.Allocations, raw.Frees,
            pool.LiveBlocks, pool.LiveBytes, pool.Allocations, pool.Frees,
            snapshot.MisuseCount, flags,
            native.LiveBlocks, native.LiveBytes, native.Allocations, native.Frees,
            aligned.LiveBlocks, aligned.LiveBytes, aligned.Allocations, aligned.Frees,
            hglobal.LiveBlocks, hglobal.LiveBytes, hglobal.Allocations, hglobal.Frees,
            cotaskmem.LiveBlocks, cotaskmem.LiveBytes, cotaskmem.Allocations, cotaskmem.Frees);
    }
}
