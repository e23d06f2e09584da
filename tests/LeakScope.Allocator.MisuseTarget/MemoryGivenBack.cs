using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.MisuseTarget;

/// <summary>
/// <c>memory-given-back</c>: allocates a burst of 2 M × 256 B <see cref="PoolHeap"/> blocks (each touched), frees them
/// all, then runs a steady alloc/free loop, and prints one line with the resident set (VmRSS, as the kernel reports it)
/// at each point and what the loop cost in arenas and page releases. Empty pools go back after a delay, on the purge
/// thread: "after" is read once the purge has settled (an event, waited for with a bound), and the line says whether it
/// did and how long it took. The test reads that line when the process ends.
/// </summary>
internal static unsafe class MemoryGivenBack
{
    public const string Name = "memory-given-back";

    public static int Run()
    {
        const int Blocks = 2_000_000;
        var pointers = new nint[Blocks];
        Array.Fill(pointers, -1); // the array's own 16 MB resident before the start is read: they are not the heap's
        GC.Collect();
        long start = ResidentBytes();
        for (int i = 0; i < Blocks; i++)
        {
            pointers[i] = (nint)PoolHeap.Malloc(256);
            *(long*)pointers[i] = i;
        }

        long peak = ResidentBytes();
        for (int i = 0; i < Blocks; i++)
        {
            PoolHeap.Free((void*)pointers[i]);
        }

        long freed = Environment.TickCount64;
        bool settled = PagePurger.WaitUntilSettled(TimeSpan.FromSeconds(60));
        long settleMs = Environment.TickCount64 - freed;
        long after = ResidentBytes();

        // A steady loop: 20 000 live blocks of mixed sizes, one freed and one allocated per step.
        var ring = new nint[20_000];
        for (int i = 0; i < ring.Length; i++)
        {
            ring[i] = (nint)PoolHeap.Malloc((nuint)(16 + (i % 256)));
        }

        HeapFootprint before = HeapFootprint.Capture();
        for (int step = 0; step < 2_000_000; step++)
        {
            int slot = step % ring.Length;
            PoolHeap.Free((void*)ring[slot]);
            ring[slot] = (nint)PoolHeap.Malloc((nuint)(16 + ((step * 7) % 256)));
        }

        HeapFootprint loop = HeapFootprint.Capture();
        foreach (nint p in ring)
        {
            PoolHeap.Free((void*)p);
        }

        Console.WriteLine($"rss start={start} peak={peak} after={after} loop-arenas={loop.Arenas - before.Arenas} loop-releases={loop.ReleaseCalls - before.ReleaseCalls} burst-releases={before.ReleaseCalls} settled={settled} settle-ms={settleMs} pools-released={loop.PoolsReleased} retained-empty={SizeClassPool.RetainedEmptyPools}");
        return 0;
    }

    private static long ResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim()) * 1024;
            }
        }

        throw new InvalidOperationException("/proc/self/status has no VmRSS line.");
    }
}
