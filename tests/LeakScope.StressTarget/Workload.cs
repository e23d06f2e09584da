using System.Collections.Concurrent;
using LeakScope.Allocator;

namespace LeakScope.StressTarget;

/// <summary>The traced work. Planted calls are marked <c>// PLANTED:name</c> on their own line; keep them there.</summary>
internal static unsafe class Workload
{
    /// <summary>Each worker plants one mismatched free, one double free and one invalid free per this many operations.</summary>
    public const int MisuseEvery = 1000;

    /// <summary>Each worker refuses one resize of its own viewed buffer per this many operations.</summary>
    public const int BlockedResizeEvery = 2000;

    public const int OwnBufferLength = 16;
    public const int PoolLeaks = 5;
    public const int PoolLeakSize = 96;
    public const int ThreadLeakSize = 128;

    private static readonly nuint[] Sizes = [0, 1, 8, 24, 48, 100, 256, 512, 513, 2000, 4096];

    public static Dictionary<string, long> Run(int threads, int ops)
    {
        var inboxes = Enumerable.Range(0, threads).Select(_ => new ConcurrentQueue<(nint Block, bool Raw)>()).ToArray();
        using var shared = new NativeBuffer<int>(64);
        long sharedBlocked = 0;
        var workers = Enumerable.Range(0, threads).Select(k => new Thread(() =>
        {
            var rng = new Random(k + 1);
            var mine = new List<(nint Block, bool Raw)>();
            using var own = new NativeBuffer<long>(OwnBufferLength, AllocationFamily.Pool);
            for (int i = 1; i <= ops; i++)
            {
                Churn(rng, mine, inboxes, k);
                if (i % MisuseEvery == 0)
                {
                    PlantMisuse();
                }

                if (i % BlockedResizeEvery == 0)
                {
                    BlockedResize(own);
                }

                if (i % 50 == 0 && ViewShared(shared, rng))
                {
                    Interlocked.Increment(ref sharedBlocked);
                }
            }

            foreach ((nint block, bool raw) in mine)
            {
                Free(block, raw);
            }

            RawHeap.Malloc(ThreadLeakSize); // PLANTED:stress-thread-leak
        }) { Name = $"worker {k}" }).ToList();

        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        foreach ((nint block, bool raw) in inboxes.SelectMany(q => q))
        {
            Free(block, raw);
        }

        for (int i = 0; i < PoolLeaks; i++)
        {
            PoolHeap.Malloc(PoolLeakSize); // PLANTED:stress-pool-leak
        }

        long misuse = threads * (long)(ops / MisuseEvery);
        return new Dictionary<string, long>
        {
            ["threads"] = threads,
            ["ops"] = ops,
            ["misusePerKind"] = misuse,
            ["ownBlockedResizes"] = threads * (long)(ops / BlockedResizeEvery),
            ["sharedBlockedResizes"] = sharedBlocked,
        };
    }

    /// <summary>One correct operation: allocate, calloc, realloc, hand a block to another thread, or free one (ours or received).</summary>
    private static void Churn(Random rng, List<(nint Block, bool Raw)> mine, ConcurrentQueue<(nint Block, bool Raw)>[] inboxes, int k)
    {
        int roll = rng.Next(10);
        if (roll < 3 || mine.Count == 0)
        {
            bool raw = rng.Next(2) == 0;
            nuint size = Sizes[rng.Next(Sizes.Length)];
            void* block = raw ? RawHeap.Malloc(size) : PoolHeap.Malloc(size);
            if (size > 0)
            {
                *(byte*)block = 1;
            }

            mine.Add(((nint)block, raw));
        }
        else if (roll < 4)
        {
            bool raw = rng.Next(2) == 0;
            mine.Add(((nint)(raw ? RawHeap.Calloc(4, 12) : PoolHeap.Calloc(3, 40)), raw));
        }
        else if (roll < 5)
        {
            int at = rng.Next(mine.Count);
            (nint block, bool raw) = mine[at];
            nuint size = Sizes[rng.Next(1, Sizes.Length)];
            mine[at] = ((nint)(raw ? RawHeap.Realloc((void*)block, size) : PoolHeap.Realloc((void*)block, size)), raw);
        }
        else if (roll < 7)
        {
            int at = rng.Next(mine.Count);
            inboxes[(k + 1) % inboxes.Length].Enqueue(mine[at]);
            mine.RemoveAt(at);
        }
        else if (roll < 9)
        {
            if (inboxes[k].TryDequeue(out (nint Block, bool Raw) received))
            {
                Free(received.Block, received.Raw);
            }
        }
        else
        {
            int at = rng.Next(mine.Count);
            Free(mine[at].Block, mine[at].Raw);
            mine.RemoveAt(at);
        }

        while (mine.Count > 64)
        {
            Free(mine[^1].Block, mine[^1].Raw);
            mine.RemoveAt(mine.Count - 1);
        }
    }

    private static void PlantMisuse()
    {
        void* mismatched = RawHeap.Malloc(64); // PLANTED:stress-mismatched-alloc
        PoolHeap.Free(mismatched); // PLANTED:stress-mismatched-free

        void* twice = PoolHeap.Malloc(48); // PLANTED:stress-double-alloc
        PoolHeap.Free(twice);
        PoolHeap.Free(twice); // PLANTED:stress-double-free

        byte* stack = stackalloc byte[16];
        RawHeap.Free(stack); // PLANTED:stress-invalid-free
    }

    private static void BlockedResize(NativeBuffer<long> own)
    {
        using BufferView<long> view = own.AcquireView(); // PLANTED:stress-own-view
        try
        {
            own.Resize(OwnBufferLength * 2); // PLANTED:stress-own-resize
            throw new InvalidOperationException("a resize went through while a view was outstanding");
        }
        catch (BufferBusyException)
        {
            // Expected: the view blocks it.
        }
    }

    /// <summary>Views the shared buffer, or tries to resize it; true when a resize was refused because another thread held a view.</summary>
    private static bool ViewShared(NativeBuffer<int> shared, Random rng)
    {
        if (rng.Next(4) != 0)
        {
            using BufferView<int> view = shared.AcquireView(); // PLANTED:stress-shared-view
            view.Span[rng.Next(view.Length)]++;
            Thread.SpinWait(50);
            return false;
        }

        try
        {
            shared.Resize(64 + rng.Next(2)); // PLANTED:stress-shared-resize
            return false;
        }
        catch (BufferBusyException)
        {
            return true;
        }
    }

    private static void Free(nint block, bool raw)
    {
        if (raw)
        {
            RawHeap.Free((void*)block);
        }
        else
        {
            PoolHeap.Free((void*)block);
        }
    }

    /// <summary>As fast as one thread can: alloc/free pairs of a small pool block, then three planted leaks.</summary>
    public static void Flood(int pairs)
    {
        for (int i = 0; i < pairs; i++)
        {
            PoolHeap.Free(PoolHeap.Malloc(32));
        }

        for (int i = 0; i < 3; i++)
        {
            PoolHeap.Malloc(40); // PLANTED:flood-leak
        }
    }

    public const int PeriodicLeakSize = 40;

    /// <summary>
    /// Leaks one <see cref="PeriodicLeakSize"/> B raw block every <paramref name="everyMs"/> ms until the process is killed,
    /// and after each prints <c>LEAK count timestamp</c>: how many it has leaked, and when the last one was done
    /// (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>, the monotonic clock every process on the machine shares).
    /// </summary>
    public static void LeakEvery(int everyMs)
    {
        // The pace of the workload, not a wait in a test: a timer keeps it steady whatever the printing costs.
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(everyMs));
        for (long count = 1; ; count++)
        {
            RawHeap.Malloc(PeriodicLeakSize); // PLANTED:periodic-leak
            Console.WriteLine($"LEAK {count} {System.Diagnostics.Stopwatch.GetTimestamp()}");
            pace.WaitForNextTickAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Until the process is killed: one tick per line read from <paramref name="input"/> (churn 50 pool blocks, leak one
    /// 64 B raw block, print <c>TICK n</c>), so the test decides how many ticks there are and waits for their lines;
    /// once the input ends, it stays alive, idle, until it is killed.
    /// </summary>
    public static void ChurnOnRequest(TextReader input)
    {
        var blocks = new List<nint>();
        long ticks = 0;
        while (input.ReadLine() is not null)
        {
            for (int i = 0; i < 50; i++)
            {
                blocks.Add((nint)PoolHeap.Malloc((nuint)(16 + i)));
            }

            foreach (nint block in blocks)
            {
                PoolHeap.Free((void*)block);
            }

            blocks.Clear();
            RawHeap.Malloc(64); // PLANTED:tick-leak
            Console.WriteLine($"TICK {++ticks}");
        }

        using var killed = new ManualResetEventSlim();
        killed.Wait(); // Never set: the process ends when it is killed.
    }
}
