using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// While the source is enabled, a background heartbeat publishes the authoritative counts per family
/// and the totals, so a tracer can prove its reconstruction exact (and flush EventPipe's buffered tail).
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class HeartbeatTests
{
    private static readonly TimeSpan ArrivalBound = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_heartbeat_arrives_within_a_second_and_keeps_coming()
    {
        using var recorder = new AllocatorEventRecorder(EventLevel.Informational, AllocatorEventSource.Keywords.Diagnostics);

        recorder.WaitUntil(r => r.Heartbeats.Count >= 1, "the first heartbeat", ArrivalBound);
        recorder.WaitUntil(r => r.Heartbeats.Count >= 3, "two more heartbeats", 2 * ArrivalBound);

        IReadOnlyList<HeartbeatEvent> beats = recorder.Heartbeats;
        for (int i = 1; i < beats.Count; i++)
        {
            Assert.True(beats[i].Sequence > beats[i - 1].Sequence);
            Assert.InRange(beats[i].TimeStamp - beats[i - 1].TimeStamp, TimeSpan.Zero, ArrivalBound);
        }

        Assert.All(beats, b => Assert.Equal(0, b.Flags));
    }

    [Fact]
    public void When_the_heap_is_quiet_the_heartbeat_equals_HeapStats()
    {
        void* raw = RawHeap.Malloc(100);
        void* pool = PoolHeap.Calloc(10, 70);
        void* large = PoolHeap.Malloc(10_000);
        using (new MisusePolicyScope(MisusePolicy.Report))
        {
            RawHeap.Free((byte*)raw + 16); // a misuse, so the total is not trivially zero
        }

        using var recorder = new AllocatorEventRecorder(EventLevel.Informational, AllocatorEventSource.Keywords.Diagnostics);
        recorder.WaitUntil(r => r.Heartbeats.Count >= 1, "the first heartbeat", ArrivalBound);
        HeapSnapshot before = HeapStats.Capture();
        int seen = recorder.Heartbeats.Count;
        recorder.WaitUntil(r => r.Heartbeats.Count > seen, "a heartbeat taken after the snapshot", ArrivalBound);
        HeapSnapshot after = HeapStats.Capture();

        Assert.Equal(before.Counts, after.Counts); // quiet indeed
        HeartbeatEvent beat = recorder.Heartbeats[seen];
        Assert.Equal(WithoutMisuse(after.For(AllocationFamily.Raw).Counts), beat.Raw);
        Assert.Equal(WithoutMisuse(after.For(AllocationFamily.Pool).Counts), beat.Pool);
        Assert.Equal(after.MisuseCount, beat.MisuseCount);
        Assert.True(beat.Pool.LiveBytes >= 10_700 && beat.Raw.LiveBytes >= 100 && beat.MisuseCount >= 1);

        RawHeap.Free(raw);
        PoolHeap.Free(pool);
        PoolHeap.Free(large);
    }

    [Fact]
    public void A_heartbeat_taken_after_frees_reflects_them()
    {
        using var recorder = new AllocatorEventRecorder(EventLevel.Informational, AllocatorEventSource.Keywords.Diagnostics);
        recorder.WaitUntil(r => r.Heartbeats.Count >= 1, "the first heartbeat", ArrivalBound);
        var blocks = Enumerable.Range(0, 50).Select(_ => (nint)RawHeap.Malloc(32)).ToList();
        int seen = recorder.Heartbeats.Count;
        recorder.WaitUntil(r => r.Heartbeats.Count > seen, "a heartbeat with the blocks live", ArrivalBound);
        HeartbeatEvent withBlocks = recorder.Heartbeats[seen];

        blocks.ForEach(b => RawHeap.Free((void*)b));
        seen = recorder.Heartbeats.Count;
        recorder.WaitUntil(r => r.Heartbeats.Count > seen, "a heartbeat after the frees", ArrivalBound);
        HeartbeatEvent afterFrees = recorder.Heartbeats[seen];

        Assert.Equal(new HeapCounts(-50, -50 * 32, 0, 50, 0), afterFrees.Raw - withBlocks.Raw);
    }

    private static HeapCounts WithoutMisuse(HeapCounts counts) => counts with { MisuseCount = 0 };
}
