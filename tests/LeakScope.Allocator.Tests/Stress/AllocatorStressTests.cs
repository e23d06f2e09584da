using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Stress;

/// <summary>
/// Several threads, each for a fixed number of operations, allocating (malloc, calloc, realloc) in both families, handing blocks to each
/// other and freeing what others allocated, while another thread keeps capturing <see cref="HeapStats"/>. Every block
/// handed out must be distinct and keep its contents; afterwards <see cref="HeapStats"/> must equal what the threads did.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class AllocatorStressTests
{
    private const int Threads = 4;
    private const int OperationsPerThread = 25_000;

    /// <summary>A worker asks the observer for one more capture every this many operations.</summary>
    private const int CaptureEvery = 256;

    /// <summary>The views-and-resizes test runs until at least this many views were held (and a resize was refused).</summary>
    private const int EnoughViews = 1000;
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Empty, small classes, the pool limit, just above it, large, and now and then very large.</summary>
    private static readonly nuint[] Sizes = [0, 1, 8, 16, 24, 48, 100, 256, 511, 512, 513, 2000, 4096];

    [Fact]
    public void Threads_allocating_and_freeing_each_others_blocks_in_both_families_leave_HeapStats_exact()
    {
        var ledger = new StressLedger(Threads);
        var inboxes = Enumerable.Range(0, Threads).Select(_ => new ConcurrentQueue<StressBlock>()).ToArray();
        var owned = Enumerable.Range(0, Threads).Select(_ => new List<StressBlock>()).ToArray();
        using var start = new Barrier(Threads + 1);
        HeapSnapshot before = HeapStats.Capture();
        long operations = 0, captures = 0;
        bool running = true;
        using var captureRequests = new SemaphoreSlim(0);

        var threads = Enumerable.Range(0, Threads).Select(k => Start($"stress {k}", () =>
        {
            var rng = new Random(1000 + k);
            StressTally tally = ledger.Tallies[k];
            List<StressBlock> mine = owned[k];
            start.SignalAndWait(JoinTimeout);
            long ops = 0;
            while (ops < OperationsPerThread)
            {
                ops++;
                if (ops % CaptureEvery == 0)
                {
                    captureRequests.Release();
                }

                int roll = rng.Next(100);
                if (roll < 30 || mine.Count == 0)
                {
                    mine.Add(Allocate(ledger, tally, rng, zeroed: false));
                }
                else if (roll < 40)
                {
                    mine.Add(Allocate(ledger, tally, rng, zeroed: true));
                }
                else if (roll < 55)
                {
                    int at = rng.Next(mine.Count);
                    if (Reallocate(ledger, tally, rng, mine[at]) is { } moved)
                    {
                        mine[at] = moved;
                    }
                    else
                    {
                        mine.RemoveAt(at);
                    }
                }
                else if (roll < 70)
                {
                    int at = rng.Next(mine.Count);
                    inboxes[rng.Next(Threads)].Enqueue(mine[at]);
                    mine.RemoveAt(at);
                }
                else if (roll < 90)
                {
                    if (inboxes[k].TryDequeue(out StressBlock received))
                    {
                        Free(ledger, tally, received);
                    }
                }
                else
                {
                    int at = rng.Next(mine.Count);
                    Free(ledger, tally, mine[at]);
                    mine.RemoveAt(at);
                }

                while (mine.Count > 200)
                {
                    Free(ledger, tally, mine[^1]);
                    mine.RemoveAt(mine.Count - 1);
                }
            }

            Interlocked.Add(ref operations, ops);
        })).ToList();

        // Capturing while the heap is busy must be safe (its figures are exact only when the threads are quiet): a capture
        // whenever a worker asks, so the captures keep pace with the work however fast the machine runs it.
        Thread observer = Start("stress observer", () =>
        {
            start.SignalAndWait(JoinTimeout);
            while (captureRequests.Wait(JoinTimeout) && Volatile.Read(ref running))
            {
                _ = HeapStats.Capture();
                Interlocked.Increment(ref captures);
            }
        });

        JoinAll(threads);
        Volatile.Write(ref running, false);
        captureRequests.Release();
        JoinAll([observer]);

        Assert.Empty(ledger.Failures);
        Assert.Equal(Threads * (long)OperationsPerThread, operations);
        Assert.True(captures > 0, "the observer never captured while the workers ran");
        HeapSnapshot after = HeapStats.Capture();
        StressTally total = ledger.Total();
        foreach (AllocationFamily family in new[] { AllocationFamily.Raw, AllocationFamily.Pool })
        {
            Assert.Equal(total.For(family), Counts.Change(before, after, family));
        }

        Assert.Equal(default, Counts.Change(before, after, AllocationFamily.Unknown));

        // Everything still held, by its owner or in an inbox, is intact and can be freed from this thread.
        var drain = new StressTally();
        foreach (StressBlock block in owned.SelectMany(o => o).Concat(inboxes.SelectMany(i => i)))
        {
            Free(ledger, drain, block);
        }

        Assert.Empty(ledger.Failures);
        Assert.Equal(0, ledger.LiveCount);
        HeapSnapshot drained = HeapStats.Capture();
        Assert.Equal((before.LiveBlocks, before.LiveBytes, before.MisuseCount), (drained.LiveBlocks, drained.LiveBytes, drained.MisuseCount));
    }

    [Fact]
    public void Views_acquired_and_released_on_several_threads_block_every_resize_they_overlap_and_nothing_else()
    {
        HeapSnapshot before = HeapStats.Capture();
        var buffers = new[] { new NativeBuffer<long>(64, AllocationFamily.Pool), new NativeBuffer<long>(48, AllocationFamily.Raw) };
        var failures = new ConcurrentQueue<string>();
        long views = 0, resized = 0, blocked = 0;
        bool running = true;

        // Set by whichever thread sees the overlap this test is about: enough views, and a resize refused because of one.
        using var enough = new ManualResetEventSlim();
        void CheckEnough()
        {
            if (Volatile.Read(ref views) > EnoughViews && Volatile.Read(ref blocked) > 0 && Volatile.Read(ref resized) > 0)
            {
                enough.Set();
            }
        }

        // Deterministically once each: a view blocks a resize; once released, the resize goes through.
        using (BufferView<long> view = buffers[0].AcquireView())
        {
            BufferBusyException busy = Assert.Throws<BufferBusyException>(() => buffers[0].Resize(80));
            Assert.Equal(view.Length, buffers[0].Length);
            Assert.Single(busy.OutstandingViews);
        }

        buffers[0].Resize(80);

        var viewers = Enumerable.Range(0, 3).Select(k => Start($"viewer {k}", () =>
        {
            var rng = new Random(2000 + k);
            while (Volatile.Read(ref running))
            {
                NativeBuffer<long> buffer = buffers[rng.Next(buffers.Length)];
                int kind = rng.Next(3);
                try
                {
                    HoldView(buffer, kind, rng, failures);
                    Interlocked.Increment(ref views);
                    CheckEnough();
                }
                catch (ObjectDisposedException e)
                {
                    failures.Enqueue($"a buffer was disposed under the viewers: {e.Message}");
                }

                if (rng.Next(4) == 0)
                {
                    Thread.Yield();
                }
            }
        })).ToList();

        Thread resizer = Start("resizer", () =>
        {
            var rng = new Random(3000);
            Span<long> items = stackalloc long[4];
            while (Volatile.Read(ref running))
            {
                NativeBuffer<long> buffer = buffers[rng.Next(buffers.Length)];
                try
                {
                    if (rng.Next(2) == 0)
                    {
                        buffer.Resize(rng.Next(16, 128));
                    }
                    else if (buffer.Length < 256)
                    {
                        items.Fill(rng.Next());
                        buffer.Append(items);
                    }

                    Interlocked.Increment(ref resized);
                    CheckEnough();
                }
                catch (BufferBusyException e)
                {
                    Interlocked.Increment(ref blocked);
                    CheckEnough();
                    if (e.OutstandingViews.Count == 0 || e.OutstandingViews.Any(v => v.Kind is not (BufferViewKind.View or BufferViewKind.Pin or BufferViewKind.Strided)))
                    {
                        failures.Enqueue($"a refused resize named {e.OutstandingViews.Count} views: {e.Message}");
                    }
                }
            }
        });

        // Until (bounded) the overlap this test is about has happened: on a loaded machine the viewers can be starved for
        // a while, and a run without one refused resize proves nothing.
        enough.Wait(JoinTimeout);
        Volatile.Write(ref running, false);
        JoinAll(viewers.Append(resizer));

        Assert.Empty(failures);
        Assert.True(views > EnoughViews && blocked > 0 && resized > 0, $"{views} views, {resized} resizes, {blocked} refused");
        Assert.All(buffers, b => Assert.Equal(0, b.ViewCount));
        foreach (NativeBuffer<long> buffer in buffers)
        {
            buffer.Resize(8);
            buffer.Dispose();
        }

        // Every storage block the buffers ever had is freed; a refused resize is no misuse.
        HeapSnapshot after = HeapStats.Capture();
        foreach (AllocationFamily family in new[] { AllocationFamily.Raw, AllocationFamily.Pool })
        {
            HeapCounts change = Counts.Change(before, after, family);
            Assert.Equal((0, 0L, 0L), (change.LiveBlocks, change.LiveBytes, change.MisuseCount));
            Assert.Equal(change.Allocations, change.Frees);
        }
    }

    /// <summary>Acquires a view, pin or strided view, checks while holding it that the storage did not move, and releases it.</summary>
    private static void HoldView(NativeBuffer<long> buffer, int kind, Random rng, ConcurrentQueue<string> failures)
    {
        switch (kind)
        {
            case 0:
            {
                using BufferView<long> view = buffer.AcquireView();
                fixed (long* p = view.Span)
                {
                    Spin(rng);
                    ExpectUnmoved(buffer, p, view.Length, failures);
                }

                break;
            }

            case 1:
            {
                using System.Buffers.MemoryHandle pin = buffer.Memory.Pin();
                int length = buffer.Length;
                Spin(rng);
                ExpectUnmoved(buffer, (long*)pin.Pointer, length, failures);
                break;
            }

            default:
            {
                using StridedView<long> view = buffer.AcquireStridedView([2, 4], MemoryOrder.Fortran);
                long* first = (long*)Unsafe.AsPointer(ref view[0, 0]);
                Spin(rng);
                ExpectUnmoved(buffer, first, buffer.Length, failures);
                view[1, 3] = 7;
                break;
            }
        }
    }

    private static void ExpectUnmoved(NativeBuffer<long> buffer, long* held, int length, ConcurrentQueue<string> failures)
    {
        Span<long> now = buffer.GetSpan();
        fixed (long* current = now)
        {
            if (current != held || now.Length != length)
            {
                failures.Enqueue($"the storage moved under a view: 0x{(nint)held:x}[{length}] → 0x{(nint)current:x}[{now.Length}]");
            }
        }

        // Reading and writing every element of the held storage must be safe (it is not freed while viewed).
        long sum = 0;
        for (int i = 0; i < length; i++)
        {
            sum += held[i];
        }

        held[0] = sum;
    }

    private static void Spin(Random rng)
    {
        for (int i = rng.Next(50); i > 0; i--)
        {
            Thread.SpinWait(10);
        }
    }

    internal static StressBlock Allocate(StressLedger ledger, StressTally tally, Random rng, bool zeroed)
    {
        AllocationFamily family = rng.Next(2) == 0 ? AllocationFamily.Raw : AllocationFamily.Pool;
        nuint size = rng.Next(200) == 0 ? 70_000 : Sizes[rng.Next(Sizes.Length)];
        void* block = zeroed ? TestHeap.Calloc(family, 1, size) : TestHeap.Malloc(family, size);
        ledger.HandedOut(block, zeroed ? "Calloc" : "Malloc");
        if (zeroed && new ReadOnlySpan<byte>(block, (int)size).IndexOfAnyExcept((byte)0) is int dirty and >= 0)
        {
            ledger.Fail($"Calloc({size}) handed out a block with a non-zero byte at {dirty}");
        }

        int seed = rng.Next();
        TestHeap.Fill(block, size, seed);
        tally.Allocated(family, size);
        return new StressBlock((nint)block, family, size, seed);
    }

    /// <summary>
    /// Reallocates (to 0 now and then: RawHeap frees and returns null, PoolHeap returns a 0-byte block, as PyMem does);
    /// returns the moved block, or null when it was freed.
    /// </summary>
    internal static StressBlock? Reallocate(StressLedger ledger, StressTally tally, Random rng, StressBlock old)
    {
        ledger.Check(old);
        nuint size = rng.Next(10) == 0 ? 0 : Sizes[rng.Next(Sizes.Length)];
        ledger.Returning((void*)old.Address);
        void* moved = TestHeap.Realloc(old.Family, (void*)old.Address, size);
        tally.Freed(old.Family, old.Size);
        if (size == 0 && old.Family == AllocationFamily.Raw)
        {
            if (moved != null)
            {
                ledger.Fail("RawHeap.Realloc to 0 bytes did not return null");
            }

            return null;
        }

        if (moved == null)
        {
            ledger.Fail($"{old.Family} Realloc to {size} bytes returned null");
            return null;
        }

        ledger.HandedOut(moved, "Realloc");
        tally.Allocated(old.Family, size);
        var block = new StressBlock((nint)moved, old.Family, size, old.Seed);
        ledger.Check(block with { Size = Math.Min(size, old.Size) });
        TestHeap.Fill(moved, size, old.Seed);
        return block;
    }

    internal static void Free(StressLedger ledger, StressTally tally, StressBlock block)
    {
        ledger.Check(block);
        ledger.Returning((void*)block.Address);
        TestHeap.Free(block.Family, (void*)block.Address);
        tally.Freed(block.Family, block.Size);
    }

    internal static Thread Start(string name, Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    internal static void JoinAll(IEnumerable<Thread> threads)
    {
        var clock = Stopwatch.StartNew();
        foreach (Thread thread in threads)
        {
            TimeSpan left = JoinTimeout - clock.Elapsed;
            Assert.True(thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero), $"{thread.Name} did not finish within {JoinTimeout.TotalSeconds} s");
        }
    }
}
