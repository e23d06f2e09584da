using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Tests.Support;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>
/// Attach, detach, attach again (issue 10, item 4): a thread that allocated under the first session and, under the
/// second, only frees and then exits must still publish its frees. Its writer never allocates again, so it never
/// learns of the new session by itself; before the fix its exit dropped the records, and the blocks the second
/// session's rundown had reported live stayed live in the tracer for ever (phantom blocks).
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public sealed unsafe class ReattachTests
{
    private const int Blocks = 200;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_thread_that_only_frees_after_a_reattach_then_exits_publishes_every_free()
    {
        for (int round = 0; round < 3; round++)
        {
            OneCycle(round);
        }
    }

    private static void OneCycle(int round)
    {
        var blocks = new nint[Blocks];
        using var allocated = new ManualResetEventSlim();
        using var go = new ManualResetEventSlim();
        bool released = false;
        var thread = new Thread(() =>
        {
            for (int i = 0; i < Blocks; i++)
            {
                blocks[i] = (nint)PoolHeap.Malloc(24);
            }

            allocated.Set();
            released = go.Wait(Bound);
            foreach (nint block in blocks)
            {
                PoolHeap.Free((void*)block);
            }
        }) { Name = $"frees only, round {round}" };

        AllocatorEventRecorder second;
        using (var first = new AllocatorEventRecorder(EventLevel.Verbose, AllocatorEventSource.Keywords.Batched))
        {
            first.WaitForRundown();
            thread.Start();
            Assert.True(allocated.Wait(Bound), "the thread allocated its blocks");
        }

        using (second = new AllocatorEventRecorder(EventLevel.Verbose, AllocatorEventSource.Keywords.Batched))
        {
            // The second session's rundown reports the thread's blocks live: their frees must follow as records.
            RundownCapture rundown = second.WaitForRundown();
            var addresses = blocks.ToHashSet();
            HashSet<long> ids = rundown.Blocks.Where(b => addresses.Contains(b.Address)).Select(b => b.AllocationId).ToHashSet();
            Assert.Equal(Blocks, ids.Count);

            go.Set();
            Assert.True(thread.Join(Bound), "the thread exited");
            Assert.True(released, "the thread was released by the test, not by its bound");

            // The heartbeat reclaims the exited thread's heap (and publishes what it left) within one tick.
            second.WaitUntil(r => FreedIds(r).Count(ids.Contains) == Blocks, $"the exited thread's {Blocks} free records (round {round})");
        }
    }

    private static IEnumerable<long> FreedIds(AllocatorEventRecorder recorder) =>
        recorder.WithId(WireSchema.EventIds.AllocationBatch)
            .SelectMany(e => ParsedBatch.Parse(e.Get<byte[]>("Records")).Records)
            .Where(r => r.Tag == BatchRecord.Freed)
            .Select(r => r.Key);
}
