using System.Diagnostics.Tracing;

namespace LeakScope.Allocator.Tests.Support;

/// <summary>A block event: BlockAllocated, BlockFreed or RundownBlock (they share one payload shape).</summary>
internal readonly record struct BlockEvent(int EventId, long AllocationId, nint Address, long Size, int SiteId, AllocationFamily Family);

internal readonly record struct ReallocEvent(
    long OldAllocationId, nint OldAddress, long OldSize, AllocationFamily OldFamily,
    long NewAllocationId, nint NewAddress, long NewSize, AllocationFamily NewFamily, int SiteId);

internal readonly record struct MisuseEvent(
    MisuseKind Kind, AllocationFamily BlockFamily, AllocationFamily CallerFamily,
    long AllocationId, nint Address, long Size, int SiteId, int AllocationSiteId);

internal readonly record struct SiteEvent(int SiteId, string File, int Line, string Member);

internal readonly record struct HeartbeatEvent(long Sequence, HeapCounts Raw, HeapCounts Pool, long MisuseCount, int Flags, DateTime TimeStamp);

/// <summary>Decodes the recorded <see cref="EventWrittenEventArgs"/> of the allocator source into typed events, by payload name.</summary>
internal static class RecordedEvents
{
    public static BlockEvent ToBlock(this EventWrittenEventArgs e) => new(
        e.EventId,
        e.Get<long>("AllocationId"),
        (nint)e.Get<long>("Address"),
        e.Get<long>("Size"),
        e.Get<int>("SiteId"),
        (AllocationFamily)e.Get<byte>("Family"));

    public static ReallocEvent ToRealloc(this EventWrittenEventArgs e) => new(
        e.Get<long>("OldAllocationId"),
        (nint)e.Get<long>("OldAddress"),
        e.Get<long>("OldSize"),
        (AllocationFamily)e.Get<byte>("OldFamily"),
        e.Get<long>("NewAllocationId"),
        (nint)e.Get<long>("NewAddress"),
        e.Get<long>("NewSize"),
        (AllocationFamily)e.Get<byte>("NewFamily"),
        e.Get<int>("SiteId"));

    public static MisuseEvent ToMisuse(this EventWrittenEventArgs e) => new(
        (MisuseKind)e.Get<byte>("Kind"),
        (AllocationFamily)e.Get<byte>("BlockFamily"),
        (AllocationFamily)e.Get<byte>("CallerFamily"),
        e.Get<long>("AllocationId"),
        (nint)e.Get<long>("Address"),
        e.Get<long>("Size"),
        e.Get<int>("SiteId"),
        e.Get<int>("AllocationSiteId"));

    public static SiteEvent ToSite(this EventWrittenEventArgs e) => new(
        e.Get<int>("SiteId"), e.Get<string>("File"), e.Get<int>("Line"), e.Get<string>("Member"));

    public static HeartbeatEvent ToHeartbeat(this EventWrittenEventArgs e)
    {
        long misuse = e.Get<long>("MisuseCount");
        return new HeartbeatEvent(
            e.Get<long>("Sequence"),
            Counts(e.Get<long>("RawLiveBlocks"), e.Get<long>("RawLiveBytes"), e.Get<long>("RawAllocations"), e.Get<long>("RawFrees")),
            Counts(e.Get<long>("PoolLiveBlocks"), e.Get<long>("PoolLiveBytes"), e.Get<long>("PoolAllocations"), e.Get<long>("PoolFrees")),
            misuse,
            e.Get<int>("Flags"),
            e.TimeStamp);
    }

    public static T Get<T>(this EventWrittenEventArgs e, string name)
    {
        int index = e.PayloadNames?.IndexOf(name) ?? -1;
        Assert.True(index >= 0, $"Event {e.EventName} ({e.EventId}) has no payload field '{name}'.");
        return Assert.IsType<T>(e.Payload![index]);
    }

    /// <summary>Counts without the misuse field, which the heartbeat carries only as a total.</summary>
    private static HeapCounts Counts(long liveBlocks, long liveBytes, long allocations, long frees) =>
        new(liveBlocks, liveBytes, allocations, frees, MisuseCount: 0);
}
