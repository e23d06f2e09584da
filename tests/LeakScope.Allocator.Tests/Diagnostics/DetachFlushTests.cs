using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;
using LeakScope.Allocator.Tests.Batching;
using LeakScope.Allocator.Tests.Support;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Diagnostics;

/// <summary>
/// The target's side of a detach (docs/reliability.md): a second session whose provider argument is
/// <c>Flush=&lt;token&gt;</c> makes the allocator publish every thread's records, then answer on every session with
/// <c>DetachFlushed(token, n)</c> followed by heartbeat n; it asks for no rundown. Heartbeat n counts exactly what the
/// records published before the answer hold, even while threads allocate, free, reallocate and hand blocks to each other
/// (the operation boundary, docs/reliability.md "Detach").
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

    [Fact]
    public void A_flush_during_a_burst_on_several_threads_confirms_a_heartbeat_equal_to_the_records_published_before_it()
    {
        using var main = new AllocatorEventRecorder(EventLevel.Verbose, AllocatorEventSource.Keywords.Batched | AllocatorEventSource.Keywords.Diagnostics);
        main.WaitForRundown();

        // Busy threads: each keeps up to 32 blocks of both families, frees its oldest, reallocates, and hands every eighth
        // block to the next thread, which frees it. None of them is quiet when the flush comes.
        const int Threads = 3;
        var inboxes = Enumerable.Range(0, Threads).Select(_ => new ConcurrentQueue<(nint Block, bool Pool)>()).ToArray();
        var operations = new long[Threads];
        var leftovers = new ConcurrentBag<(nint Block, bool Pool)>();
        bool stop = false;
        var workers = Enumerable.Range(0, Threads).Select(k => new Thread(() =>
        {
            var mine = new Queue<(nint Block, bool Pool)>();
            for (long i = 0; !Volatile.Read(ref stop); i++)
            {
                bool pool = i % 2 == 0;
                nint block = (nint)(pool ? PoolHeap.Malloc((nuint)(16 + (i % 200))) : RawHeap.Malloc((nuint)(8 + (i % 700))));
                if (i % 5 == 0)
                {
                    block = (nint)(pool ? PoolHeap.Realloc((void*)block, (nuint)(24 + (i % 300))) : RawHeap.Realloc((void*)block, (nuint)(40 + (i % 600))));
                }

                if (i % 8 == 0)
                {
                    inboxes[(k + 1) % Threads].Enqueue((block, pool));
                }
                else
                {
                    mine.Enqueue((block, pool));
                }

                while (inboxes[k].TryDequeue(out (nint Block, bool Pool) received))
                {
                    Free(received);
                }

                if (mine.Count > 32)
                {
                    Free(mine.Dequeue());
                }

                Volatile.Write(ref operations[k], i);
            }

            foreach ((nint Block, bool Pool) block in mine)
            {
                leftovers.Add(block);
            }
        }) { Name = $"burst {k}" }).ToList();
        workers.ForEach(t => t.Start());
        try
        {
            Assert.True(SpinWait.SpinUntil(() => Enumerable.Range(0, Threads).All(k => Volatile.Read(ref operations[k]) > 2000), TimeSpan.FromSeconds(30)), "the workers did not get going");
            using (new FlushRequest(Token))
            {
                main.WaitUntil(r => Answer(r) is { Heartbeat: >= 0 }, "DetachFlushed and the heartbeat it names");
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            workers.ForEach(t => t.Join(TimeSpan.FromSeconds(30)));
            foreach ((nint Block, bool Pool) block in leftovers.Concat(inboxes.SelectMany(q => q)))
            {
                Free(block);
            }
        }

        Assert.All(operations, n => Assert.True(n > 2000));
        (int flushed, int heartbeat) = Answer(main)!.Value;
        IReadOnlyList<EventWrittenEventArgs> events = main.Events;

        // A reader of everything before the answer: the rundown's blocks, then every record, in order.
        var live = new Dictionary<long, (byte Family, long Size)>();
        var freedUnseen = new HashSet<long>();
        int start = events.ToList().FindIndex(e => e.EventId == WireSchema.EventIds.RundownStart);
        for (int i = start; i < flushed; i++)
        {
            EventWrittenEventArgs e = events[i];
            if (e.EventId == WireSchema.EventIds.RundownBlock)
            {
                live[e.Get<long>("AllocationId")] = (e.Get<byte>("Family"), e.Get<long>("Size"));
            }
            else if (e.EventId == WireSchema.EventIds.AllocationBatch)
            {
                Apply(e.Get<byte[]>("Records"), live, freedUnseen);
            }
        }

        // A free before the answer whose allocation is published only after it would be a cut that is not consistent across threads.
        var later = new HashSet<long>();
        foreach (EventWrittenEventArgs e in events.Skip(flushed).Where(e => e.EventId == WireSchema.EventIds.AllocationBatch))
        {
            Apply(e.Get<byte[]>("Records"), new Dictionary<long, (byte, long)>(), new HashSet<long>(), later);
        }

        Assert.Empty(freedUnseen.Intersect(later));

        EventWrittenEventArgs beat = events[heartbeat];
        (long Blocks, long Bytes) Account(byte family) =>
            (live.Values.Count(b => b.Family == family), live.Values.Where(b => b.Family == family).Sum(b => b.Size));
        Assert.Equal((beat.Get<long>("RawLiveBlocks"), beat.Get<long>("RawLiveBytes")), Account((byte)AllocationFamily.Raw));
        Assert.Equal((beat.Get<long>("PoolLiveBlocks"), beat.Get<long>("PoolLiveBytes")), Account((byte)AllocationFamily.Pool));
    }

    private static void Free((nint Block, bool Pool) block)
    {
        if (block.Pool)
        {
            PoolHeap.Free((void*)block.Block);
        }
        else
        {
            RawHeap.Free((void*)block.Block);
        }
    }

    /// <summary>Applies a batch's block records as a tracer does: a free read before its allocation (another thread's batch came first) waits for it.</summary>
    private static void Apply(byte[] batch, Dictionary<long, (byte Family, long Size)> live, HashSet<long> freedUnseen, HashSet<long>? allocated = null)
    {
        int p = 0;
        while (p < batch.Length)
        {
            switch (batch[p++])
            {
                case BatchRecord.Header:
                    Varint(batch, ref p);
                    Varint(batch, ref p);
                    break;
                case BatchRecord.Allocated:
                {
                    long id = BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p));
                    p += 8;
                    long size = (long)Varint(batch, ref p);
                    Varint(batch, ref p);
                    byte family = batch[p++];
                    allocated?.Add(id);
                    if (!freedUnseen.Remove(id))
                    {
                        live[id] = (family, size); // else: freed on another thread whose batch was read first
                    }

                    break;
                }

                case BatchRecord.Freed:
                {
                    long id = BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p));
                    p += 8;
                    if (!live.Remove(id))
                    {
                        freedUnseen.Add(id);
                    }

                    break;
                }

                case BatchRecord.Reallocated:
                {
                    long oldId = BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p));
                    long newId = BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p + 8));
                    p += 16;
                    long size = (long)Varint(batch, ref p);
                    Varint(batch, ref p);
                    byte family = batch[p++];
                    if (!live.Remove(oldId))
                    {
                        freedUnseen.Add(oldId);
                    }

                    allocated?.Add(newId);
                    if (!freedUnseen.Remove(newId))
                    {
                        live[newId] = (family, size);
                    }

                    break;
                }

                case BatchRecord.Folded:
                    Varint(batch, ref p);
                    p++;
                    Varint(batch, ref p);
                    Varint(batch, ref p);
                    break;
                default:
                    throw new InvalidOperationException($"tag {batch[p - 1]}");
            }
        }
    }

    private static ulong Varint(byte[] bytes, ref int p) => ParsedBatch.Varint(bytes, ref p);

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
