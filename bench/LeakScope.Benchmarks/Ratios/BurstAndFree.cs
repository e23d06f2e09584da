using System.Diagnostics;
using LeakScope.Allocator;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Benchmarks.Ratios;

internal readonly record struct BurstReport(long Start, long Peak, long After, TimeSpan Settled);

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
            Thread.Sleep(50);
            after = ProcessMemory.ResidentBytes();
        }

        return new BurstReport(start, peak, after, Stopwatch.GetElapsedTime(freed));
    }

    /// <summary>Runs a steady mixed-size loop and says how many arenas it created and how many times memory went back.</summary>
    public static string SteadyLoop(int live, long steps)
    {
        Loops.MixedRing<Pool>(steps / 10, live); // reach the steady state first
        HeapFootprint before = HeapFootprint.Capture();
        Loops.MixedRing<Pool>(steps, live);
        HeapFootprint after = HeapFootprint.Capture();
        return $"arenas created {after.Arenas - before.Arenas}, release calls (madvise) {after.ReleaseCalls - before.ReleaseCalls}, " +
            $"pools given back {after.PoolsReleased - before.PoolsReleased}, pools reused after release {after.PoolsRecommitted - before.PoolsRecommitted}";
    }
}
