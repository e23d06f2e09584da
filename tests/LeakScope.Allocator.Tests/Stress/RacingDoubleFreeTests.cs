using System.Collections.Concurrent;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Stress;

/// <summary>
/// Two threads free one small block at the same moment, thousands of times. Exactly one free may win: the other is a
/// double free, reported as misuse, and the block must never land on two free lists (which would later hand one address
/// to two owners). Before the block state was claimed with a compare-exchange, about one pair in 1,700 did both.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class RacingDoubleFreeTests
{
    private const int Pairs = 20_000;

    /// <summary>Blocks each thread holds at once afterwards: more than its cache, so every cached duplicate would surface.</summary>
    private const int HeldAfterwards = 4 * 64;

    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Two_threads_freeing_one_small_block_at_once_report_exactly_one_double_free_and_never_corrupt_the_heap()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        var failures = new ConcurrentQueue<string>();
        var held = new ConcurrentBag<(nint Address, AllocationFamily Family)>();
        int pair = -1;
        int ready = 0;
        nint block = 0;

        HeapSnapshot before = HeapStats.Capture();

        // The phase action runs once per pair, on the last thread to arrive, after both frees of the previous pair.
        using var race = new Barrier(2, _ =>
        {
            int next = ++pair;
            block = next < Pairs ? (nint)TestHeap.Malloc(FamilyOf(next), 48) : 0;
        });
        using var hold = new Barrier(2);

        var threads = Enumerable.Range(0, 2).Select(k => AllocatorStressTests.Start($"racing free {k}", () =>
        {
            // One phase more than pairs: neither thread allocates again until both have finished the last free (a
            // free that lost to a reallocation of the same address would free the new block: no allocator can tell).
            for (int i = 0; i <= Pairs; i++)
            {
                if (!race.SignalAndWait(PhaseTimeout))
                {
                    failures.Enqueue($"thread {k}: pair {i} did not start within {PhaseTimeout}");
                    return;
                }

                if (i < Pairs)
                {
                    // The barrier wakes the threads microseconds apart; a spinning start line makes them free together.
                    void* target = (void*)Volatile.Read(ref block);
                    if (!StartTogether(ref ready, 2 * (i + 1)))
                    {
                        failures.Enqueue($"thread {k}: the other thread did not reach pair {i}'s start line within {PhaseTimeout}");
                        return;
                    }

                    TestHeap.Free(FamilyOf(i), target);
                }
            }

            // Both threads now hold many blocks of the raced class at once; a block left on both caches would be
            // handed out twice here.
            var mine = new List<(nint, AllocationFamily)>();
            foreach (AllocationFamily family in new[] { AllocationFamily.Raw, AllocationFamily.Pool })
            {
                for (int n = 0; n < HeldAfterwards; n++)
                {
                    mine.Add(((nint)TestHeap.Malloc(family, 48), family));
                }
            }

            foreach ((nint, AllocationFamily) b in mine)
            {
                held.Add(b);
            }

            if (!hold.SignalAndWait(PhaseTimeout))
            {
                failures.Enqueue($"thread {k}: the other thread did not finish its allocations within {PhaseTimeout}");
            }

            foreach ((nint address, AllocationFamily family) in mine)
            {
                TestHeap.Free(family, (void*)address);
            }
        })).ToList();

        AllocatorStressTests.JoinAll(threads);
        Assert.Empty(failures);

        List<nint> addresses = held.Select(b => b.Address).ToList();
        Assert.Equal(2 * 2 * HeldAfterwards, addresses.Count);
        Assert.DoesNotContain(0, addresses);
        Assert.Equal(addresses.Count, addresses.Distinct().Count());

        // Each pair: one allocation, one free, one double free; then the held blocks came and went.
        HeapSnapshot after = HeapStats.Capture();
        foreach (AllocationFamily family in new[] { AllocationFamily.Raw, AllocationFamily.Pool })
        {
            long pairs = Pairs / 2;
            long churn = pairs + (2 * HeldAfterwards);
            Assert.Equal(new HeapCounts(0, 0, churn, churn, pairs), Counts.Change(before, after, family));
        }
    }

    /// <summary>Arrives at a start line and spins until <paramref name="expected"/> arrivals in all (bounded); false on timeout.</summary>
    private static bool StartTogether(ref int arrivals, int expected)
    {
        Interlocked.Increment(ref arrivals);
        long deadline = Environment.TickCount64 + (long)PhaseTimeout.TotalMilliseconds;
        var spin = default(SpinWait);
        while (Volatile.Read(ref arrivals) < expected)
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }

    private static AllocationFamily FamilyOf(int pair) => pair % 2 == 0 ? AllocationFamily.Raw : AllocationFamily.Pool;
}
