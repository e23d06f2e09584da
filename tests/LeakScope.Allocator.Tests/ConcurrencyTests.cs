using System.Collections.Concurrent;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// Several threads allocating in both families and freeing (and reallocating) blocks that other
/// threads allocated, which is normal for the allocator; and threads that exit while their caches
/// still hold free blocks. <see cref="HeapStats"/> must be exact afterwards.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class ConcurrencyTests
{
    private static readonly TimeSpan ThreadTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Small blocks of several classes, the pool limit, and large blocks.</summary>
    private static readonly nuint[] Sizes = [0, 1, 16, 24, 100, 256, 512, 513, 2000];

    [Fact]
    public void Blocks_handed_to_other_threads_and_freed_there_leave_exact_counts()
    {
        const int ThreadCount = 4;
        const int PerThread = 20_000;
        var inboxes = Enumerable.Range(0, ThreadCount).Select(_ => new ConcurrentQueue<Handoff>()).ToArray();
        var tallies = Enumerable.Range(0, ThreadCount).Select(_ => new Tally()).ToArray();
        var live = new ConcurrentDictionary<nint, byte>();
        var failures = new ConcurrentQueue<string>();
        using var start = new Barrier(ThreadCount);
        HeapSnapshot before = HeapStats.Capture();

        var threads = Enumerable.Range(0, ThreadCount).Select(k => new Thread(() =>
        {
            Tally tally = tallies[k];
            ConcurrentQueue<Handoff> mine = inboxes[k];
            ConcurrentQueue<Handoff> next = inboxes[(k + 1) % ThreadCount];
            start.SignalAndWait(ThreadTimeout);
            for (int i = 0; i < PerThread; i++)
            {
                var family = (i + k) % 2 == 0 ? AllocationFamily.Raw : AllocationFamily.Pool;
                nuint size = Sizes[((i * 7) + k) % Sizes.Length];
                int seed = (k * PerThread) + i;
                void* block = TestHeap.Malloc(family, size);
                Track(live, failures, (nint)block);
                TestHeap.Fill(block, size, seed);
                tally.Allocated(family, size);
                next.Enqueue(new Handoff((nint)block, family, size, seed));

                if (mine.TryDequeue(out Handoff received))
                {
                    Check(failures, received);
                    Untrack(live, received.Block);
                    if (i % 5 != 0)
                    {
                        TestHeap.Free(received.Family, (void*)received.Block);
                        tally.Freed(received.Family, received.Size);
                        continue;
                    }

                    // Reallocate a block another thread allocated (to size 0 now and then: RawHeap frees it, PoolHeap
                    // keeps a 0-byte block, as PyMem does).
                    nuint newSize = Sizes[(i / 5) % Sizes.Length];
                    void* moved = TestHeap.Realloc(received.Family, (void*)received.Block, newSize);
                    if (newSize == 0 && received.Family == AllocationFamily.Raw)
                    {
                        Expect(failures, moved == null, "RawHeap.Realloc to 0 bytes did not return null.");
                        tally.Freed(received.Family, received.Size);
                        continue;
                    }

                    Track(live, failures, (nint)moved);
                    tally.Reallocated(received.Family, received.Size, newSize);
                    Check(failures, received with { Block = (nint)moved, Size = Math.Min(received.Size, newSize) });
                    Untrack(live, (nint)moved);
                    TestHeap.Free(received.Family, moved);
                    tally.Freed(received.Family, newSize);
                }
            }
        }) { IsBackground = true, Name = $"allocator test {k}" }).ToList();

        threads.ForEach(t => t.Start());
        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(ThreadTimeout), $"{thread.Name} did not finish within {ThreadTimeout.TotalSeconds} s.");
        }

        Assert.Empty(failures);
        var outstanding = inboxes.SelectMany(q => q).ToList();
        var expected = new Tally();
        foreach (Tally tally in tallies)
        {
            expected.Add(tally);
        }

        HeapSnapshot after = HeapStats.Capture();
        foreach (AllocationFamily family in new[] { AllocationFamily.Raw, AllocationFamily.Pool })
        {
            var stillLive = outstanding.Where(h => h.Family == family).ToList();
            HeapCounts expectedChange = expected.For(family);
            Assert.Equal(stillLive.Count, expectedChange.LiveBlocks);
            Assert.Equal(stillLive.Sum(h => (long)h.Size), expectedChange.LiveBytes);
            Assert.Equal(expectedChange, Counts.Change(before, after, family));
        }

        foreach (Handoff handoff in outstanding)
        {
            Check(failures, handoff);
            TestHeap.Free(handoff.Family, (void*)handoff.Block);
        }

        Assert.Empty(failures);
        HeapSnapshot drained = HeapStats.Capture();
        Assert.Equal(before.LiveBlocks, drained.LiveBlocks);
        Assert.Equal(before.LiveBytes, drained.LiveBytes);
        Assert.Equal(before.MisuseCount, drained.MisuseCount);
    }

    [Fact]
    public void An_exited_threads_cached_blocks_are_handed_out_again_and_its_counts_are_kept()
    {
        // A Raw size class no other test uses, so the shared pool of that class holds only this test's blocks.
        const nuint Size = 470;
        // Exactly two refills (2 × 32), so the exited thread's cache holds only blocks it freed: 59 of them.
        const int Freed = 59;
        const int KeptLive = 5;
        HeapStats.Capture(); // reclaims threads that exited earlier, so only this test's thread is reclaimed below
        HeapSnapshot before = HeapStats.Capture();
        var freedByExitedThread = new HashSet<nint>();
        var keptLive = new List<nint>();

        var exiting = new Thread(() =>
        {
            var blocks = Enumerable.Range(0, Freed + KeptLive).Select(_ => (nint)RawHeap.Malloc(Size)).ToList();
            foreach (nint block in blocks.Take(Freed))
            {
                RawHeap.Free((void*)block);
                freedByExitedThread.Add(block);
            }

            keptLive.AddRange(blocks.Skip(Freed));
        }) { IsBackground = true, Name = "exits holding a cache" };
        exiting.Start();
        Assert.True(exiting.Join(ThreadTimeout));

        HeapSnapshot afterExit = HeapStats.Capture();
        Assert.Equal(new HeapCounts(KeptLive, KeptLive * (long)Size, Freed + KeptLive, Freed, 0), Counts.Change(before, afterExit, AllocationFamily.Raw));

        // A new thread's refills of that class come from the shared pool, where the exited thread's cache went: it gets
        // every one of those blocks back before the pool carves new ones. The shared pool may also hold blocks of this
        // class from threads of earlier tests (reclaimed by the first Capture, or thread-pool threads retired since), so
        // the taker allocates until it has seen all of them, bounded by far more than any earlier test leaves there.
        const int Bound = 100_000;
        var reused = new List<nint>();
        var taker = new Thread(() =>
        {
            var awaited = new HashSet<nint>(freedByExitedThread);
            while (awaited.Count > 0 && reused.Count < Bound)
            {
                nint block = (nint)RawHeap.Malloc(Size);
                reused.Add(block);
                awaited.Remove(block);
            }

            reused.ForEach(b => RawHeap.Free((void*)b));
        }) { IsBackground = true, Name = "takes the reclaimed blocks" };
        taker.Start();
        Assert.True(taker.Join(ThreadTimeout));

        Assert.All(freedByExitedThread, block => Assert.Contains(block, reused));
        Assert.True(reused.Count < Bound, $"{reused.Count} allocations did not hand out the exited thread's blocks");

        // Blocks the exited thread left live are still live, and can be freed by anyone.
        keptLive.ForEach(b => RawHeap.Free((void*)b));
        HeapSnapshot after = HeapStats.Capture();
        Assert.Equal(Counts.Churn(Freed + KeptLive + reused.Count), Counts.Change(before, after, AllocationFamily.Raw));
    }

    private static void Track(ConcurrentDictionary<nint, byte> live, ConcurrentQueue<string> failures, nint block)
    {
        if (block == 0)
        {
            failures.Enqueue("An allocation returned null.");
        }
        else if (!live.TryAdd(block, 0))
        {
            failures.Enqueue($"0x{block:x} was handed out while still live.");
        }
    }

    private static void Expect(ConcurrentQueue<string> failures, bool condition, string failure)
    {
        if (!condition)
        {
            failures.Enqueue(failure);
        }
    }

    private static void Untrack(ConcurrentDictionary<nint, byte> live, nint block) => live.TryRemove(block, out _);

    private static void Check(ConcurrentQueue<string> failures, Handoff handoff)
    {
        long mismatch = TestHeap.FirstMismatch((void*)handoff.Block, handoff.Size, handoff.Seed);
        if (mismatch >= 0)
        {
            failures.Enqueue($"{handoff.Family} block 0x{handoff.Block:x} ({handoff.Size} B) was overwritten at offset {mismatch}.");
        }
    }

    private readonly record struct Handoff(nint Block, AllocationFamily Family, nuint Size, int Seed);

    /// <summary>What one thread did to each family, in the shape of <see cref="HeapCounts"/>.</summary>
    private sealed class Tally
    {
        private readonly HeapCounts[] _byFamily = new HeapCounts[3];

        public void Allocated(AllocationFamily family, nuint size) => _byFamily[(int)family] += new HeapCounts(1, (long)size, 1, 0, 0);

        public void Freed(AllocationFamily family, nuint size) => _byFamily[(int)family] += new HeapCounts(-1, -(long)size, 0, 1, 0);

        public void Reallocated(AllocationFamily family, nuint oldSize, nuint newSize)
        {
            Freed(family, oldSize);
            Allocated(family, newSize);
        }

        public void Add(Tally other)
        {
            for (int f = 0; f < _byFamily.Length; f++)
            {
                _byFamily[f] += other._byFamily[f];
            }
        }

        public HeapCounts For(AllocationFamily family) => _byFamily[(int)family];
    }
}
