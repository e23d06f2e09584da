using System.Diagnostics;
using LeakScope.Allocator;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Benchmarks.Ratios;

internal readonly record struct BurstReport(long Start, long Peak, long Within64, TimeSpan Returned, long Settled, TimeSpan PurgeSettled);

/// <summary>A burst of pool blocks, all freed, and how much of it the process keeps; then a steady loop's mappings.</summary>
internal static unsafe class BurstAndFree
{
    public static BurstReport Run(int blocks, nuint size, TimeSpan settle)
    {
        var pointers = new nint[blocks];
        Array.Fill(pointers, -1); // the array's own pages resident before the start is read
        GC.Collect();
        long start = ProcessMemory.ResidentBytes();
        for (int i = 0; i < blocks; i++)
        {
            pointers[i] = (nint)PoolHeap.Malloc(size);
            *(long*)pointers[i] = i; // touched, as a program would
        }

        long peak = ProcessMemory.ResidentBytes();
        for (int i = 0; i < blocks; i++)
        {
            PoolHeap.Free((void*)pointers[i]);
        }

        long freed = Stopwatch.GetTimestamp();
        long after = ProcessMemory.ResidentBytes();
        while (after - start > 64L << 20 && Stopwatch.GetElapsedTime(freed) < settle)
        {
            Thread.Sleep(10);
            after = ProcessMemory.ResidentBytes();
        }

        TimeSpan returned = Stopwatch.GetElapsedTime(freed);

        // Then until the purge has given back every pool beyond the kept allowance.
        PagePurger.WaitUntilSettled(TimeSpan.FromSeconds(30));
        TimeSpan purged = Stopwatch.GetElapsedTime(freed);
        return new BurstReport(start, peak, after, returned, ProcessMemory.ResidentBytes(), purged);
    }

    /// <summary>
    /// <c>live1m</c>'s shape (LeakScope.TraceBench): 1 M blocks of 16–79 B built, all freed, built again at once and freed,
    /// <paramref name="rounds"/> times. Returns wall ms, process CPU ms (user, system) and the page releases it caused.
    /// </summary>
    public static string Rebuild(int rounds)
    {
        PagePurger.WaitUntilSettled(TimeSpan.FromSeconds(30));
        const int Count = 1_000_000;
        var blocks = new nint[Count];
        Array.Fill(blocks, -1);
        HeapFootprint before = HeapFootprint.Capture();
        using var self = Process.GetCurrentProcess();
        TimeSpan user = self.UserProcessorTime;
        TimeSpan system = self.PrivilegedProcessorTime;
        long begin = Stopwatch.GetTimestamp();
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < Count; i++)
            {
                byte* p = (byte*)PoolHeap.Malloc((nuint)(16 + (i & 63)));
                p[0] = 1;
                blocks[i] = (nint)p;
            }

            for (int i = 0; i < Count; i++)
            {
                PoolHeap.Free((void*)blocks[i]);
            }
        }

        double wall = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        self.Refresh();
        HeapFootprint after = HeapFootprint.Capture();
        return $"{rounds} rounds in {wall:F0} ms wall, CPU user {(self.UserProcessorTime - user).TotalMilliseconds:F0} ms, " +
            $"system {(self.PrivilegedProcessorTime - system).TotalMilliseconds:F0} ms; release calls (madvise) {after.ReleaseCalls - before.ReleaseCalls}, " +
            $"pools given back {after.PoolsReleased - before.PoolsReleased}, pools reused after release {after.PoolsRecommitted - before.PoolsRecommitted}";
    }

    /// <summary>Runs a steady mixed-size loop and says how many arenas it created and how many times memory went back.</summary>
    public static string SteadyLoop(int live, long steps)
    {
        PagePurger.WaitUntilSettled(TimeSpan.FromSeconds(30)); // the burst's own purge is over
        Loops.MixedRing<Pool>(steps / 10, live); // reach the steady state first
        HeapFootprint before = HeapFootprint.Capture();
        Loops.MixedRing<Pool>(steps, live);
        HeapFootprint after = HeapFootprint.Capture();
        return $"arenas created {after.Arenas - before.Arenas}, release calls (madvise) {after.ReleaseCalls - before.ReleaseCalls}, " +
            $"pools given back {after.PoolsReleased - before.PoolsReleased}, pools reused after release {after.PoolsRecommitted - before.PoolsRecommitted}";
    }
}
