using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Heaps;
using LeakScope.Allocator.Tests.Batching;
using LeakScope.Allocator.Tests.Support;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// The target's side of a detach (docs/reliability.md): a second session whose provider argument is
/// <c>Flush=&lt;token&gt;</c> makes the allocator publish every thread's records, then answer on every session with
/// <c>DetachFlushed(token, n)</c> followed by heartbeat n; it asks for no rundown.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public sealed unsafe class DetachFlushTests
{
    private const long Token = 0x5EED_F105;
    private const int Blocks = 10;

    [Fact]
    public void A_flush_request_publishes_every_record_then_answers_with_DetachFlushed_and_the_heartbeat_it_names()
    {
        using var main = new AllocatorEventRecorder(EventLevel.Verbose, AllocatorEventSource.Keywords.Batched | AllocatorEventSource.Keywords.Diagnostics);
        main.WaitForRundown();

        // A thread allocates and stays alive and quiet: its records, the last one in its pending slot, wait in its buffer.
        var ids = new long[Blocks];
        var blocks = new nint[Blocks];
        using var allocated = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            for (int i = 0; i < Blocks; i++)
            {
                void* block = PoolHeap.Malloc(48);
                blocks[i] = (nint)block;
                ids[i] = ((BlockHeader*)block - 1)->AllocationId;
            }

            allocated.Set();
            done.Wait(TimeSpan.FromSeconds(10));
        });
        thread.Start();
        try
        {
            Assert.True(allocated.Wait(TimeSpan.FromSeconds(10)));
            int rundownsBefore = main.WithId(WireSchema.EventIds.RundownStart).Count();
            using (new FlushRequest(Token))
            {
                main.WaitUntil(r => Answer(r) is { Heartbeat: >= 0 }, "DetachFlushed and the heartbeat it names");
            }

            (int flushed, int heartbeat) = Answer(main)!.Value;
            IReadOnlyList<EventWrittenEventArgs> events = main.Events;
            long sequence = events[flushed].Get<long>("HeartbeatSequence");
            Assert.Equal(sequence, events[heartbeat].Get<long>("Sequence"));

            // Every allocation was published before the answer.
            HashSet<long> published = events.Take(flushed)
                .Where(e => e.EventId == WireSchema.EventIds.AllocationBatch)
                .SelectMany(e => ParsedBatch.Parse(e.Get<byte[]>("Records")).Records)
                .Where(r => r.Tag == LeakScope.Allocator.Diagnostics.Batching.BatchRecord.Allocated)
                .Select(r => r.Key)
                .ToHashSet();
            Assert.All(ids, id => Assert.Contains(id, published));

            // The flush session asked for no rundown.
            Assert.Equal(rundownsBefore, main.WithId(WireSchema.EventIds.RundownStart).Count());
        }
        finally
        {
            done.Set();
            thread.Join(TimeSpan.FromSeconds(10));
            foreach (nint block in blocks)
            {
                PoolHeap.Free((void*)block);
            }
        }
    }

    /// <summary>The index of our <c>DetachFlushed</c> and of the heartbeat after it that it names (-1 while not read).</summary>
    private static (int Flushed, int Heartbeat)? Answer(AllocatorEventRecorder recorder)
    {
        IReadOnlyList<EventWrittenEventArgs> events = recorder.Events;
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i].EventId == WireSchema.EventIds.DetachFlushed && events[i].Get<long>("Token") == Token)
            {
                long sequence = events[i].Get<long>("HeartbeatSequence");
                for (int j = i + 1; j < events.Count; j++)
                {
                    if (events[j].EventId == WireSchema.EventIds.Heartbeat && events[j].Get<long>("Sequence") == sequence)
                    {
                        return (i, j);
                    }
                }

                return (i, -1);
            }
        }

        return null;
    }

    /// <summary>A second listener, as a detaching tracer's short session: only the heartbeat's keyword, and the flush argument.</summary>
    private sealed class FlushRequest : EventListener
    {
        public FlushRequest(long token) => EnableEvents(
            AllocatorEventSource.Log,
            EventLevel.Informational,
            AllocatorEventSource.Keywords.Diagnostics,
            new Dictionary<string, string?> { [WireSchema.FlushArgument] = token.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }
}
