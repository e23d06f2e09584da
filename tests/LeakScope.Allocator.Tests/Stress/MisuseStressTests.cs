using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Stress;

/// <summary>
/// <see cref="MisusePolicy.Report"/> must never corrupt the heap: thousands of mismatched, double and invalid frees,
/// reallocs of freed blocks and invalid or mismatched reallocs, on several threads, interleaved with correct traffic
/// that hands blocks across threads. Every block handed out stays distinct and intact, <see cref="HeapStats"/> counts
/// exactly what was done (misuse included), and the heap serves allocations normally afterwards.
/// </summary>
/// <remarks>
/// Double frees and reallocs of freed blocks are made right after the first free, on the freeing thread, of small
/// blocks (which wait in that thread's cache): a double free of an address the system allocator may already have given
/// to another thread is a free of that thread's new block — no allocator can tell them apart (docs/reliability.md).
/// Large ones are exercised alone, after the threads. Foreign pointers (<see cref="NativeMemory.Alloc(nuint)"/>) may
/// land on the address of a large block freed moments ago, and are then reported as a double free of that block,
/// against its family: so only their total is exact per family, not which family.
/// </remarks>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class MisuseStressTests
{
    private const int Threads = 4;
    private const int MisusePerThread = 1500;

    private static readonly AllocationFamily[] Families = [AllocationFamily.Raw, AllocationFamily.Pool];

    [Fact]
    public void Thousands_of_misuse_calls_interleaved_with_traffic_on_several_threads_never_corrupt_the_heap()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        var ledger = new StressLedger(Threads);
        var inboxes = Enumerable.Range(0, Threads).Select(_ => new ConcurrentQueue<StressBlock>()).ToArray();
        var owned = Enumerable.Range(0, Threads).Select(_ => new List<StressBlock>()).ToArray();
        long foreign = 0;
        HeapSnapshot before = HeapStats.Capture();

        var threads = Enumerable.Range(0, Threads).Select(k => AllocatorStressTests.Start($"misuse {k}", () =>
        {
            var rng = new Random(4000 + k);
            StressTally tally = ledger.Tallies[k];
            List<StressBlock> mine = owned[k];
            for (int i = 0; i < MisusePerThread; i++)
            {
                // Correct traffic around every misuse: allocations, frees of other threads' blocks, reallocs.
                for (int n = rng.Next(1, 12); n > 0; n--)
                {
                    Traffic(ledger, tally, rng, mine, inboxes, k);
                }

                if (Misuse(ledger, tally, rng, i))
                {
                    Interlocked.Increment(ref foreign);
                }
            }
        })).ToList();

        AllocatorStressTests.JoinAll(threads);
        Assert.Empty(ledger.Failures);

        HeapSnapshot after = HeapStats.Capture();
        StressTally total = ledger.Total();
        long expectedMisuse = 0;
        foreach (AllocationFamily family in Families)
        {
            HeapCounts expected = total.For(family);
            HeapCounts change = Counts.Change(before, after, family);
            Assert.Equal(expected with { MisuseCount = 0 }, change with { MisuseCount = 0 });

            // Foreign pointers are charged to the caller's family, or to a just-freed large block's.
            Assert.InRange(change.MisuseCount, expected.MisuseCount, expected.MisuseCount + Volatile.Read(ref foreign));
            expectedMisuse += expected.MisuseCount;
        }

        Assert.Equal(Threads * MisusePerThread, expectedMisuse + Volatile.Read(ref foreign));
        Assert.Equal(Threads * (long)MisusePerThread, after.MisuseCount - before.MisuseCount);
        Assert.Equal(default, Counts.Change(before, after, AllocationFamily.Unknown) with { MisuseCount = 0 });

        var drain = new StressTally();
        foreach (StressBlock block in owned.SelectMany(o => o).Concat(inboxes.SelectMany(q => q)))
        {
            AllocatorStressTests.Free(ledger, drain, block);
        }

        Assert.Empty(ledger.Failures);
        LargeMisuseAlone();
        AssertHeapServesNormally();

        HeapSnapshot drained = HeapStats.Capture();
        Assert.Equal((before.LiveBlocks, before.LiveBytes), (drained.LiveBlocks, drained.LiveBytes));
    }

    private static void Traffic(StressLedger ledger, StressTally tally, Random rng, List<StressBlock> mine, ConcurrentQueue<StressBlock>[] inboxes, int k)
    {
        int roll = rng.Next(10);
        if (roll < 4 || mine.Count == 0)
        {
            mine.Add(AllocatorStressTests.Allocate(ledger, tally, rng, zeroed: rng.Next(4) == 0));
        }
        else if (roll < 6)
        {
            int at = rng.Next(mine.Count);
            inboxes[rng.Next(inboxes.Length)].Enqueue(mine[at]);
            mine.RemoveAt(at);
        }
        else if (roll < 8)
        {
            if (inboxes[k].TryDequeue(out StressBlock received))
            {
                AllocatorStressTests.Free(ledger, tally, received);
            }
        }
        else if (roll < 9)
        {
            int at = rng.Next(mine.Count);
            if (AllocatorStressTests.Reallocate(ledger, tally, rng, mine[at]) is { } moved)
            {
                mine[at] = moved;
            }
            else
            {
                mine.RemoveAt(at);
            }
        }
        else
        {
            int at = rng.Next(mine.Count);
            AllocatorStressTests.Free(ledger, tally, mine[at]);
            mine.RemoveAt(at);
        }

        while (mine.Count > 100)
        {
            AllocatorStressTests.Free(ledger, tally, mine[^1]);
            mine.RemoveAt(mine.Count - 1);
        }
    }

    /// <summary>One misuse of one of nine kinds, each of which must return normally under Report. True when it used a foreign pointer.</summary>
    private static bool Misuse(StressLedger ledger, StressTally tally, Random rng, int i)
    {
        AllocationFamily family = Families[rng.Next(2)];
        AllocationFamily other = family == AllocationFamily.Raw ? AllocationFamily.Pool : AllocationFamily.Raw;
        byte* stack = stackalloc byte[32];
        switch (i % 9)
        {
            case 0:
            {
                // Mismatched free, small or large: freed by the family that owns it.
                nuint size = rng.Next(2) == 0 ? 48u : 3000u;
                void* block = Take(ledger, tally, family, size);
                ledger.Returning(block);
                TestHeap.Free(other, block);
                tally.Freed(family, size);
                tally.Misused(family);
                return false;
            }

            case 1:
            {
                // Double free of a small block, right after its free.
                void* block = Take(ledger, tally, family, 64);
                ledger.Returning(block);
                TestHeap.Free(family, block);
                tally.Freed(family, 64);
                TestHeap.Free(family, block);
                tally.Misused(family);
                return false;
            }

            case 2:
                // A pointer into the stack.
                TestHeap.Free(family, stack + rng.Next(8));
                tally.Misused(family);
                return false;

            case 3:
            {
                // An interior pointer of a live small block: refused; the block stays live and intact.
                void* block = Take(ledger, tally, family, 128);
                TestHeap.Fill(block, 128, i);
                TestHeap.Free(other, (byte*)block + 16);
                tally.Misused(other);
                if (TestHeap.FirstMismatch(block, 128, i) >= 0)
                {
                    ledger.Fail("an invalid interior free changed the block it pointed into");
                }

                ledger.Returning(block);
                TestHeap.Free(family, block);
                tally.Freed(family, 128);
                return false;
            }

            case 4:
            {
                // Realloc of a small block just freed: null, nothing changes.
                void* block = Take(ledger, tally, family, 32);
                ledger.Returning(block);
                TestHeap.Free(family, block);
                tally.Freed(family, 32);
                if (TestHeap.Realloc(family, block, 64) != null)
                {
                    ledger.Fail("a realloc of a freed block returned a block");
                }

                tally.Misused(family);
                return false;
            }

            case 5:
                // Realloc of a stack pointer: null.
                if (TestHeap.Realloc(family, stack, 64) != null)
                {
                    ledger.Fail("a realloc of a stack pointer returned a block");
                }

                tally.Misused(family);
                return false;

            case 6:
            {
                // Mismatched realloc: the block moves into the caller's family, contents kept.
                void* block = Take(ledger, tally, family, 100);
                TestHeap.Fill(block, 100, i);
                ledger.Returning(block);
                void* moved = TestHeap.Realloc(other, block, 200);
                ledger.HandedOut(moved, "mismatched Realloc");
                tally.Freed(family, 100);
                tally.Allocated(other, 200);
                tally.Misused(family);
                if (TestHeap.FirstMismatch(moved, 100, i) >= 0)
                {
                    ledger.Fail("a mismatched realloc lost the block's contents");
                }

                ledger.Returning(moved);
                TestHeap.Free(other, moved);
                tally.Freed(other, 200);
                return false;
            }

            case 7:
            {
                // A pointer from another allocator.
                void* alien = NativeMemory.Alloc(24);
                TestHeap.Free(family, alien);
                NativeMemory.Free(alien);
                return true;
            }

            default:
            {
                // Double free through the other family: still a double free of the block's own family.
                void* block = Take(ledger, tally, family, 200);
                ledger.Returning(block);
                TestHeap.Free(family, block);
                tally.Freed(family, 200);
                TestHeap.Free(other, block);
                tally.Misused(family);
                return false;
            }
        }
    }

    private static void* Take(StressLedger ledger, StressTally tally, AllocationFamily family, nuint size)
    {
        void* block = TestHeap.Malloc(family, size);
        ledger.HandedOut(block, "Malloc");
        tally.Allocated(family, size);
        return block;
    }

    /// <summary>Large double frees and reallocs of freed large blocks, with no other thread allocating: exact.</summary>
    private static void LargeMisuseAlone()
    {
        foreach (AllocationFamily family in Families)
        {
            HeapSnapshot before = HeapStats.Capture();
            for (int i = 0; i < 200; i++)
            {
                void* block = TestHeap.Malloc(family, 5000);
                TestHeap.Free(family, block);
                TestHeap.Free(family, block);
                Assert.True(TestHeap.Realloc(family, block, 6000) == null);
            }

            Assert.Equal(new HeapCounts(0, 0, 200, 200, 400), Counts.Change(before, HeapStats.Capture(), family));
        }
    }

    private static void AssertHeapServesNormally()
    {
        HeapSnapshot before = HeapStats.Capture();
        var ledger = new StressLedger(1);
        var blocks = new List<StressBlock>();
        var rng = new Random(5000);
        for (int i = 0; i < 2000; i++)
        {
            blocks.Add(AllocatorStressTests.Allocate(ledger, ledger.Tallies[0], rng, zeroed: i % 3 == 0));
        }

        foreach (StressBlock block in blocks)
        {
            AllocatorStressTests.Free(ledger, ledger.Tallies[0], block);
        }

        Assert.Empty(ledger.Failures);
        HeapCounts churn = Counts.Change(before, HeapStats.Capture(), AllocationFamily.Raw) + Counts.Change(before, HeapStats.Capture(), AllocationFamily.Pool);
        Assert.Equal(new HeapCounts(0, 0, 2000, 2000, 0), churn);
    }
}
