using System.Collections.Concurrent;
using LeakScope.Allocator.Heaps;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Heaps;

/// <summary>
/// <see cref="SiteWalk"/> re-reads only the pools marked changed since its last walk: after every kind of change —
/// leaking more, freeing some, resizing in place, moving, a pool given back to the system, a block freed on another
/// thread and reused from that thread's cache without touching its pool — its totals must still be exact, and equal to
/// a full walk that keeps nothing (<see cref="SiteTally.CaptureByFullWalk"/>).
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public sealed unsafe class SiteWalkTests
{
    [Fact]
    public void TotalsStayExactWhenBlocksAreLeakedFreedAndResizedInPlace()
    {
        const string File = "/src/walk/Changes.cs";
        var a = new List<nint>();
        for (int i = 0; i < 3000; i++)
        {
            a.Add((nint)PoolHeap.Malloc(48, File, 1, "A"));
        }

        AssertSites(File, (1, 3000, 3000 * 48));

        // Free every third: scattered over the pools, each free marks its pool.
        for (int i = 0; i < a.Count; i += 3)
        {
            PoolHeap.Free((void*)a[i]);
            a[i] = 0;
        }

        AssertSites(File, (1, 2000, 2000 * 48));

        // Leak more: the first from this thread's cache (the freed ones, not re-marking their pools), then carved.
        for (int i = 0; i < 1500; i++)
        {
            a.Add((nint)PoolHeap.Malloc(40, File, 2, "B"));
        }

        AssertSites(File, (1, 2000, 2000 * 48), (2, 1500, 1500 * 40));

        // In place (48 → 44 B, the same class): the address stays, site and size change.
        int resized = 0;
        for (int i = 1; i < 3000; i += 3)
        {
            nint moved = (nint)PoolHeap.Realloc((void*)a[i], 44, File, 3, "C");
            Assert.Equal(a[i], moved);
            resized++;
        }

        AssertSites(File, (1, 2000 - resized, (2000 - resized) * 48), (2, 1500, 1500 * 40), (3, resized, resized * 44));

        // Moved to another class: the old slot is freed, the new one counted at the realloc's site.
        for (int i = 2; i < 3000; i += 3)
        {
            a[i] = (nint)PoolHeap.Realloc((void*)a[i], 200, File, 4, "D");
        }

        AssertSites(File, (2, 1500, 1500 * 40), (3, resized, resized * 44), (4, 1000, 1000 * 200));

        foreach (nint p in a)
        {
            PoolHeap.Free((void*)p);
        }

        AssertSites(File);
    }

    [Fact]
    public void TotalsStayExactWhileOtherThreadsChurnTheSameSizeClasses()
    {
        // Other threads allocate, free, spill and exit in the classes this thread's blocks live in (the pools are shared):
        // their marks, carving and takes race with this thread's walks, which must stay exact for this thread's sites.
        using var stop = new CancellationTokenSource();
        long cycles = 0;
        Thread[] churners = Enumerable.Range(0, 2).Select(w => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                // A short-lived thread each round: its cache goes back to the pools when it is reclaimed.
                var t = new Thread(() =>
                {
                    var held = new nint[300];
                    for (int i = 0; i < held.Length; i++)
                    {
                        held[i] = (nint)PoolHeap.Malloc((nuint)(33 + (i % 16)), "/src/walk/Churn.cs", 1, "Churn");
                    }

                    foreach (nint p in held)
                    {
                        PoolHeap.Free((void*)p);
                    }
                });
                t.Start();
                t.Join();
                ThreadHeapReclaim();
                Interlocked.Increment(ref cycles);
            }
        })).ToArray();
        foreach (Thread t in churners)
        {
            t.Start();
        }

        try
        {
            for (int round = 0; round < 30 || Interlocked.Read(ref cycles) < 30; round++)
            {
                Assert.True(round < 10_000, "the churning threads made no progress");
                TotalsStayExactWhenBlocksAreLeakedFreedAndResizedInPlace();
            }
        }
        finally
        {
            stop.Cancel();
            foreach (Thread t in churners)
            {
                t.Join();
            }
        }
    }

    private static void ThreadHeapReclaim() => ThreadHeap.ReclaimExited();

    [Fact]
    public void ABlockFreedOnAnotherThreadAndReusedFromThatThreadsCacheAfterAWalkIsCounted()
    {
        const string File = "/src/walk/CrossThread.cs";
        using var other = new Worker();

        // Allocated here, freed on the other thread (into its cache), walked, then reused there from the cache: the
        // reuse touches no pool, so only the pools the walk found holding cached blocks can tell.
        var mine = new nint[40];
        for (int i = 0; i < mine.Length; i++)
        {
            mine[i] = (nint)PoolHeap.Malloc(24, File, 1, "Here");
        }

        AssertSites(File, (1, 40, 40 * 24));
        other.Run(() =>
        {
            foreach (nint p in mine)
            {
                PoolHeap.Free((void*)p);
            }
        });
        AssertSites(File);

        var reused = new nint[40];
        other.Run(() =>
        {
            for (int i = 0; i < reused.Length; i++)
            {
                reused[i] = (nint)PoolHeap.Malloc(20, File, 2, "There");
            }
        });
        Assert.Equal(mine.Order(), reused.Order()); // the other thread's cache gave the same blocks back
        AssertSites(File, (2, 40, 40 * 20));

        // The same on this thread after two walks in a row (the second finds the pools as the first left them).
        foreach (nint p in reused)
        {
            PoolHeap.Free((void*)p);
        }

        AssertSites(File);
        AssertSites(File);
        void* again = PoolHeap.Malloc(24, File, 3, "Again");
        AssertSites(File, (3, 1, 24));
        PoolHeap.Free(again);
        AssertSites(File);
    }

    [Fact]
    public void APoolGivenBackToTheSystemAndCarvedAgainIsCountedExactly()
    {
        Assert.True(SystemPages.CanRelease, "pages are given back on Linux");
        const string File = "/src/walk/Purged.cs";

        // 496 B blocks, 32 to a pool: 4 000 pools, more empties than the heap keeps mapped once they are freed.
        const int Blocks = 128_000;
        var blocks = new nint[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            blocks[i] = (nint)PoolHeap.Malloc(496, File, 1, "Burst");
        }

        AssertSites(File, (1, Blocks, Blocks * 496L));
        long releasesBefore = HeapFootprint.Capture().ReleaseCalls;
        foreach (nint block in blocks)
        {
            PoolHeap.Free((void*)block);
        }

        Assert.True(PagePurger.WaitUntilSettled(TimeSpan.FromSeconds(60)), "the page purge did not settle within 60 s");
        Assert.True(HeapFootprint.Capture().ReleaseCalls > releasesBefore, "freeing 62 MB of pool blocks gave no pool back");
        Assert.True(ArenaMap.Find(blocks[1000])!.IsReleasedSlot(blocks[1000]), "the early-freed block's pool should have been given back");
        AssertSites(File);

        // Carved again from the released pools first.
        for (int i = 0; i < 2000; i++)
        {
            blocks[i] = (nint)PoolHeap.Malloc(480, File, 2, "Again");
        }

        AssertSites(File, (2, 2000, 2000 * 480L));
        for (int i = 0; i < 2000; i++)
        {
            PoolHeap.Free((void*)blocks[i]);
        }

        AssertSites(File);
    }

    [Fact]
    public void WalksBesideThreadsThatAllocateFreeAndResizeEndExactOnceTheThreadsStop()
    {
        // Two threads keep allocating, resizing in place, moving, freeing each other's blocks and leaking while this
        // thread walks over and over; every walk's counts must be possible (never negative, never more than ever made),
        // and once the threads stop, the walk must equal their ledgers exactly, and a full walk.
        const string File = "/src/walk/Stress.cs";
        const int Sites = 8;
        using var stop = new CancellationTokenSource();
        var handOver = new ConcurrentQueue<nint>();
        long cycles = 0;
        var ledgers = new Dictionary<nint, (int Site, int Size)>[2];
        Exception? failure = null;
        Thread[] workers = Enumerable.Range(0, 2).Select(w => new Thread(() =>
        {
            var held = ledgers[w] = new Dictionary<nint, (int, int)>();
            var random = new Random(w + 1);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    for (int i = 0; i < 256; i++)
                    {
                        int site = random.Next(Sites) + 1;
                        int size = 16 + random.Next(200);
                        var p = (nint)PoolHeap.Malloc((nuint)size, File, site, "S");
                        switch (random.Next(6))
                        {
                            case 0:
                                PoolHeap.Free((void*)p);
                                break;
                            case 1:
                                // Same class as often as not: in place or moved.
                                int resize = Math.Max(1, size - random.Next(8));
                                int at = random.Next(Sites) + 1;
                                p = (nint)PoolHeap.Realloc((void*)p, (nuint)resize, File, at, "S");
                                held[p] = (at, resize);
                                break;
                            case 2:
                                // Freed by the other worker (into its cache), so reused there without a pool.
                                handOver.Enqueue(p);
                                break;
                            default:
                                held[p] = (site, size);
                                break;
                        }
                    }

                    // Free most of what is held, and the handed-over blocks; keep a slowly growing rest.
                    foreach (nint p in held.Keys.Where((_, i) => i % 8 != 0).ToList())
                    {
                        PoolHeap.Free((void*)p);
                        held.Remove(p);
                    }

                    while (handOver.TryDequeue(out nint given))
                    {
                        PoolHeap.Free((void*)given);
                    }

                    Interlocked.Increment(ref cycles);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })).ToArray();
        foreach (Thread t in workers)
        {
            t.Start();
        }

        int walks = 0;
        try
        {
            while (walks < 200 || Interlocked.Read(ref cycles) < 200)
            {
                foreach (SiteUsage site in HeapStats.CaptureSites().Where(s => s.File == File))
                {
                    Assert.True(site.LiveBlocks > 0 && site.LiveBytes >= site.LiveBlocks, $"{site}");
                }

                walks++;
                Assert.True(walks < 200_000, "the workers made no progress in 200 000 walks");
            }
        }
        finally
        {
            stop.Cancel();
            foreach (Thread t in workers)
            {
                t.Join();
            }
        }

        Assert.Null(failure);
        while (handOver.TryDequeue(out nint left))
        {
            PoolHeap.Free((void*)left);
        }

        var expected = ledgers.SelectMany(l => l.Values)
            .GroupBy(v => v.Site)
            .Select(g => (g.Key, (long)g.Count(), g.Sum(v => (long)v.Size)))
            .ToArray();
        Assert.NotEmpty(expected);
        AssertSites(File, expected);

        foreach (nint p in ledgers.SelectMany(l => l.Keys))
        {
            PoolHeap.Free((void*)p);
        }

        AssertSites(File);
    }

    /// <summary>
    /// The walk's counts for <paramref name="file"/>'s sites (Pool family) are exactly <paramref name="expected"/>
    /// (line, blocks, bytes), and the same as a full walk's.
    /// </summary>
    private static void AssertSites(string file, params (int Line, long Blocks, long Bytes)[] expected)
    {
        var walked = Ours(SiteTally.Capture(), file);
        if (!expected.OrderBy(e => e.Line).SequenceEqual(walked))
        {
            Assert.Fail(Diagnose(file) + $" expected {string.Join(",", expected)} walked {string.Join(",", walked)}");
        }

        Assert.Equal(expected.OrderBy(e => e.Line).ToArray(), walked);
        Assert.Equal(walked, Ours(SiteTally.CaptureByFullWalk(), file));
    }

    private static string Diagnose(string file)
    {
        var text = new System.Text.StringBuilder();
        foreach (Arena arena in ArenaMap.All())
        {
            for (int p = 0; p < arena.PoolsInUse; p++)
            {
                PoolInfo info = arena.Pools[p];
                var cached = arena.WalkCounts!.Pools[p];
                long cachedBlocks = cached.First.Blocks + (cached.More?.Sum(m => (long)m.Blocks) ?? 0);
                long live = 0;
                var states = new Dictionary<byte, int>();
                for (int k = 0; k < info.Carved; k++)
                {
                    var h = (BlockHeader*)(arena.PoolBase(p) + ((nint)k * info.Stride));
                    states[h->State] = states.GetValueOrDefault(h->State) + 1;
                    if (h->State == BlockState.Live)
                    {
                        live++;
                    }
                }

                if (live != cachedBlocks)
                {
                    text.Append($"[pool {p} class {info.ClassIndex} fam {info.Family} changed {info.Changed} carved {info.Carved} free {info.FreeCount} cached {cachedBlocks} live {live} states {string.Join(" ", states.Select(kv => $"{kv.Key:X2}:{kv.Value}"))}] ");
                }
            }
        }

        return text.ToString();
    }

    private static (int Line, long Blocks, long Bytes)[] Ours(SiteTally tally, string file)
    {
        var ours = new List<(int, long, long)>();
        for (int i = 0; i < tally.Length; i++)
        {
            if (tally.BlocksAt(i) == 0 && tally.BytesAt(i) == 0)
            {
                continue;
            }

            LeakScope.Allocator.Diagnostics.SiteInfo site = LeakScope.Allocator.Diagnostics.SiteRegistry.Get(i / FamilySlots.Count);
            if (site.File == file)
            {
                Assert.Equal(AllocationFamily.Pool, (AllocationFamily)(i % FamilySlots.Count));
                ours.Add((site.Line, tally.BlocksAt(i), tally.BytesAt(i)));
            }
        }

        return ours.OrderBy(o => o.Item1).ToArray();
    }

    /// <summary>A thread of its own that runs one action at a time for the test, which waits (bounded) for each.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly BlockingCollection<(Action Work, ManualResetEventSlim Done)> _work = new();
        private readonly Thread _thread;
        private Exception? _failure;

        public Worker()
        {
            _thread = new Thread(() =>
            {
                foreach ((Action work, ManualResetEventSlim done) in _work.GetConsumingEnumerable())
                {
                    try
                    {
                        work();
                    }
                    catch (Exception e)
                    {
                        _failure = e;
                    }

                    done.Set();
                }
            });
            _thread.Start();
        }

        public void Run(Action work)
        {
            using var done = new ManualResetEventSlim();
            _work.Add((work, done));
            Assert.True(done.Wait(TimeSpan.FromSeconds(60)), "the worker thread did not finish within 60 s");
            Assert.Null(_failure);
        }

        public void Dispose()
        {
            _work.CompleteAdding();
            _thread.Join();
            _work.Dispose();
        }
    }
}
