using System.Runtime.InteropServices;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Tests.Support;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests.Tracked;

/// <summary>
/// The tracked system families (<see cref="TrackedNativeMemory"/>, <see cref="TrackedMarshal"/>): real system blocks
/// with their records beside them; a free through the wrong family is a mismatched free, a second free a double free
/// that never reaches the system, a pointer LeakScope never saw passes through unjudged.
/// </summary>
[Collection(ProcessWideAllocatorState.Name)]
public unsafe class TrackedFamilyTests
{
    public static TheoryData<AllocationFamily> Families => new() { AllocationFamily.Native, AllocationFamily.Aligned, AllocationFamily.HGlobal, AllocationFamily.CoTaskMem };

    private static nint Alloc(AllocationFamily family, int size) => family switch
    {
        AllocationFamily.Native => (nint)TrackedNativeMemory.Alloc((nuint)size),
        AllocationFamily.Aligned => (nint)TrackedNativeMemory.AlignedAlloc((nuint)size, 64),
        AllocationFamily.HGlobal => TrackedMarshal.AllocHGlobal(size),
        AllocationFamily.CoTaskMem => TrackedMarshal.AllocCoTaskMem(size),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    private static void Free(AllocationFamily family, nint block)
    {
        switch (family)
        {
            case AllocationFamily.Native: TrackedNativeMemory.Free((void*)block); break;
            case AllocationFamily.Aligned: TrackedNativeMemory.AlignedFree((void*)block); break;
            case AllocationFamily.HGlobal: TrackedMarshal.FreeHGlobal(block); break;
            case AllocationFamily.CoTaskMem: TrackedMarshal.FreeCoTaskMem(block); break;
            default: throw new ArgumentOutOfRangeException(nameof(family));
        }
    }

    private static nint Realloc(AllocationFamily family, nint block, int size) => family switch
    {
        AllocationFamily.Native => (nint)TrackedNativeMemory.Realloc((void*)block, (nuint)size),
        AllocationFamily.Aligned => (nint)TrackedNativeMemory.AlignedRealloc((void*)block, (nuint)size, 64),
        AllocationFamily.HGlobal => TrackedMarshal.ReAllocHGlobal(block, size),
        AllocationFamily.CoTaskMem => TrackedMarshal.ReAllocCoTaskMem(block, size),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void A_block_is_counted_in_its_family_until_it_is_freed(AllocationFamily family)
    {
        HeapSnapshot before = HeapStats.Capture();
        nint block = Alloc(family, 100);
        new Span<byte>((void*)block, 100).Fill(0xAB);
        Assert.Equal(Counts.Live(1, 100), Counts.Change(before, HeapStats.Capture(), family));

        Free(family, block);

        Assert.Equal(Counts.Churn(1), Counts.Change(before, HeapStats.Capture(), family));
        Assert.Equal(default, Counts.Change(before, HeapStats.Capture(), AllocationFamily.Raw));
    }

    [Fact]
    public void The_aligned_family_keeps_the_requested_alignment()
    {
        nint block = (nint)TrackedNativeMemory.AlignedAlloc(200, 256);
        Assert.Equal(0, block % 256);
        nint moved = (nint)TrackedNativeMemory.AlignedRealloc((void*)block, 5000, 256);
        Assert.Equal(0, moved % 256);
        TrackedNativeMemory.AlignedFree((void*)moved);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_realloc_keeps_the_contents_and_the_account_exact(AllocationFamily family)
    {
        HeapSnapshot before = HeapStats.Capture();
        nint block = Alloc(family, 32);
        new Span<byte>((void*)block, 32).Fill(7);

        nint moved = Realloc(family, block, 4000);

        Assert.True(new Span<byte>((void*)moved, 32).IndexOfAnyExcept((byte)7) < 0);
        Assert.Equal(new HeapCounts(1, 4000, 2, 1, 0), Counts.Change(before, HeapStats.Capture(), family));
        Free(family, moved);
        Assert.Equal(Counts.Churn(2), Counts.Change(before, HeapStats.Capture(), family));
    }

    [Fact]
    public void The_blocks_are_the_real_system_blocks_so_native_code_may_free_a_forgotten_one()
    {
        HeapSnapshot before = HeapStats.Capture();
        void* block = TrackedNativeMemory.Alloc(64);

        Assert.True(TrackedNativeMemory.Forget(block));
        Assert.False(TrackedNativeMemory.Forget(block));
        NativeMemory.Free(block); // What native code that took ownership does: no header in front, so this is valid.

        Assert.Equal(Counts.Churn(1), Counts.Change(before, HeapStats.Capture(), AllocationFamily.Native));
    }

    [Fact]
    public void An_hglobal_freed_by_FreeCoTaskMem_is_a_mismatched_free_and_is_freed_by_its_own_family()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        using var recorder = new AllocatorEventRecorder();
        HeapSnapshot before = HeapStats.Capture();
        nint block = TrackedMarshal.AllocHGlobal(48);

        TrackedMarshal.FreeCoTaskMem(block); int freeLine = Here.Line();

        HeapSnapshot after = HeapStats.Capture();
        Assert.Equal(new HeapCounts(0, 0, 1, 1, 1), Counts.Change(before, after, AllocationFamily.HGlobal));
        Assert.Equal(default, Counts.Change(before, after, AllocationFamily.CoTaskMem));
        MisuseEvent misuse = Assert.Single(recorder.Misuses, m => m.Address == block);
        Assert.Equal((MisuseKind.MismatchedFree, AllocationFamily.HGlobal, AllocationFamily.CoTaskMem, 48L), (misuse.Kind, misuse.BlockFamily, misuse.CallerFamily, misuse.Size));
        Assert.Equal(freeLine, recorder.SiteOf(misuse.SiteId).Line);
        Assert.Single(recorder.Freed, f => f.Address == block && f.Family == AllocationFamily.HGlobal);
    }

    [Fact]
    public void An_aligned_block_freed_by_NativeMemory_Free_is_a_mismatched_free()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        HeapSnapshot before = HeapStats.Capture();
        void* block = TrackedNativeMemory.AlignedAlloc(96, 32);

        TrackedNativeMemory.Free(block);

        Assert.Equal(new HeapCounts(0, 0, 1, 1, 1), Counts.Change(before, HeapStats.Capture(), AllocationFamily.Aligned));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_second_free_is_a_double_free_that_never_reaches_the_system(AllocationFamily family)
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        using var recorder = new AllocatorEventRecorder();
        HeapSnapshot before = HeapStats.Capture();
        nint block = Alloc(family, 40);
        Free(family, block);

        Free(family, block); // glibc would abort here ("free(): double free detected"): the process living on is the proof.

        Assert.Equal(new HeapCounts(0, 0, 1, 1, 1), Counts.Change(before, HeapStats.Capture(), family));
        MisuseEvent misuse = Assert.Single(recorder.Misuses, m => m.Address == block);
        Assert.Equal((MisuseKind.DoubleFree, family, 40L), (misuse.Kind, misuse.BlockFamily, misuse.Size));
    }

    [Fact]
    public void A_pointer_the_runtime_allocated_is_passed_through_and_is_not_a_finding()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Throw);
        HeapSnapshot before = HeapStats.Capture();
        nint text = Marshal.StringToHGlobalAnsi("allocated by the runtime");
        nint task = Marshal.StringToCoTaskMemUTF8("also by the runtime");

        TrackedMarshal.FreeHGlobal(text);
        TrackedMarshal.FreeCoTaskMem(task);
        TrackedMarshal.FreeHGlobal(0);
        TrackedNativeMemory.Free(null);

        Assert.Equal(before.Counts, HeapStats.Capture().Counts);
    }

    [Fact]
    public void Under_Throw_a_mismatched_free_throws_and_leaves_the_block_live()
    {
        nint block = TrackedMarshal.AllocHGlobal(24);
        using (new MisusePolicyScope(MisusePolicy.Throw))
        {
            var e = Assert.Throws<AllocatorMisuseException>(() => TrackedMarshal.FreeCoTaskMem(block));
            Assert.Equal(MisuseKind.MismatchedFree, e.Kind);
        }

        HeapSnapshot before = HeapStats.Capture();
        TrackedMarshal.FreeHGlobal(block);
        Assert.Equal(new HeapCounts(-1, -24, 0, 1, 0), Counts.Change(before, HeapStats.Capture(), AllocationFamily.HGlobal));
    }

    [Fact]
    public void A_mismatched_realloc_moves_the_block_into_the_callers_family()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        HeapSnapshot before = HeapStats.Capture();
        nint block = TrackedMarshal.AllocCoTaskMem(16);
        new Span<byte>((void*)block, 16).Fill(3);

        nint moved = TrackedMarshal.ReAllocHGlobal(block, 64);

        Assert.True(new Span<byte>((void*)moved, 16).IndexOfAnyExcept((byte)3) < 0);
        HeapSnapshot after = HeapStats.Capture();
        Assert.Equal(new HeapCounts(0, 0, 1, 1, 1), Counts.Change(before, after, AllocationFamily.CoTaskMem));
        Assert.Equal(Counts.Live(1, 64), Counts.Change(before, after, AllocationFamily.HGlobal));
        TrackedMarshal.FreeHGlobal(moved);
    }

    [Fact]
    public void A_realloc_of_a_freed_block_is_reported_and_returns_null()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        void* block = TrackedNativeMemory.Alloc(16);
        TrackedNativeMemory.Free(block);
        HeapSnapshot before = HeapStats.Capture();

        Assert.True(TrackedNativeMemory.Realloc(block, 32) == null);

        Assert.Equal(Counts.Misuse(1), Counts.Change(before, HeapStats.Capture(), AllocationFamily.Native));
    }

    [Fact]
    public void Events_carry_the_family_the_size_and_the_callers_site()
    {
        using var recorder = new AllocatorEventRecorder();
        void* block = TrackedNativeMemory.AllocZeroed(10, 12); int line = Here.Line();
        TrackedNativeMemory.Free(block);

        BlockEvent allocated = Assert.Single(recorder.Allocated, a => a.Address == (nint)block && a.Family == AllocationFamily.Native);
        Assert.Equal(120, allocated.Size);
        SiteEvent site = recorder.SiteOf(allocated.SiteId);
        Assert.Equal((Here.File(), line, nameof(Events_carry_the_family_the_size_and_the_callers_site)), (site.File, site.Line, site.Member));
        Assert.Single(recorder.Freed, f => f.AllocationId == allocated.AllocationId && f.Family == AllocationFamily.Native);
    }

    [Fact]
    public Task Threads_allocating_and_freeing_each_others_blocks_leave_an_exact_account()
    {
        HeapSnapshot before = HeapStats.Capture();
        const int PerThread = 20_000;
        var handoff = new System.Collections.Concurrent.BlockingCollection<nint>(1024);
        var producers = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                handoff.Add(TrackedMarshal.AllocHGlobal(16 + (i % 256)));
            }
        })).ToArray();
        var consumer = Task.Run(() =>
        {
            for (int i = 0; i < 2 * PerThread; i++)
            {
                TrackedMarshal.FreeHGlobal(handoff.Take());
            }
        });

        return Task.WhenAll([.. producers, consumer]).WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(
            done =>
            {
                done.GetAwaiter().GetResult();
                Assert.Equal(Counts.Churn(2 * PerThread), Counts.Change(before, HeapStats.Capture(), AllocationFamily.HGlobal));
            },
            TaskScheduler.Default);
    }

    [Fact]
    public void A_rundown_reports_tracked_blocks_already_live()
    {
        nint block = TrackedMarshal.AllocCoTaskMem(77);
        try
        {
            using var recorder = new AllocatorEventRecorder();
            Assert.True(SpinWait.SpinUntil(() => recorder.WithId(WireSchema.EventIds.RundownStop).Any(), AllocatorEventRecorder.DefaultTimeout), "no rundown");
            BlockEvent walked = Assert.Single(recorder.WithId(WireSchema.EventIds.RundownBlock).Select(e => e.ToBlock()), b => b.Address == block);
            Assert.Equal((77L, AllocationFamily.CoTaskMem), (walked.Size, walked.Family));
        }
        finally
        {
            TrackedMarshal.FreeCoTaskMem(block);
        }
    }

    [Fact]
    public void A_leak_gate_names_a_tracked_block_left_live_and_passes_once_it_is_freed()
    {
        using LeakGateScope gate = LeakGate.Begin();
        nint block = TrackedMarshal.AllocCoTaskMem(33); int line = Here.Line();
        TrackedMarshal.FreeHGlobal(TrackedMarshal.AllocHGlobal(8));

        LeakSite leak = Assert.Single(gate.GetLeaks());
        Assert.Equal((line, AllocationFamily.CoTaskMem, 33L), (leak.Line, leak.Family, leak.Bytes));

        TrackedMarshal.FreeCoTaskMem(block);
        gate.AssertNoLeaks();
    }

    [Fact]
    public void Tens_of_thousands_of_live_blocks_freed_in_another_order_keep_the_table_exact()
    {
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        HeapSnapshot before = HeapStats.Capture();
        var blocks = new nint[30_000];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = (nint)TrackedNativeMemory.Alloc((nuint)(8 + (i % 64)));
        }

        Assert.Equal(30_000, Counts.Change(before, HeapStats.Capture(), AllocationFamily.Native).LiveBlocks);
        var order = Enumerable.Range(0, blocks.Length).OrderBy(i => (i * 7919) % blocks.Length).ToArray();
        foreach (int i in order)
        {
            TrackedNativeMemory.Free((void*)blocks[i]);
        }

        // The last frees are still quarantined: a second free of each is a double free, not passed to the system.
        TrackedNativeMemory.Free((void*)blocks[order[^1]]);
        Assert.Equal(new HeapCounts(0, 0, 30_000, 30_000, 1), Counts.Change(before, HeapStats.Capture(), AllocationFamily.Native));
    }

    [Fact]
    public void Threads_racing_to_free_the_same_blocks_free_each_exactly_once_and_report_the_rest_as_double_frees()
    {
        // One thread allocates a window of blocks; then three threads (the owner among them) free the same blocks at the
        // same time, a batch of 16 at a time: exactly one free of each may win, the others are double frees that never
        // reach the system (a batch is smaller than a quarantine, so every losing free meets the block claimed or held
        // back). The owner claims in its own table, the others in a foreign one, and losers wait on claims under way.
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        HeapSnapshot before = HeapStats.Capture();
        const int Rounds = 10;
        const int Window = 2_048;
        const int Batch = 16;
        const int Racers = 3;
        var blocks = new nint[Window];
        using var step = new Barrier(Racers);
        var racers = Enumerable.Range(0, Racers).Select(r => new Thread(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                if (r == 0)
                {
                    for (int i = 0; i < Window; i++)
                    {
                        blocks[i] = (nint)TrackedNativeMemory.Alloc((nuint)(16 + (i % 256)));
                    }
                }

                for (int batch = 0; batch < Window; batch += Batch)
                {
                    step.SignalAndWait();
                    for (int k = 0; k < Batch; k++)
                    {
                        // Each racer walks the batch in its own order, so they meet on its blocks in every interleaving.
                        int i = batch + (r switch { 0 => k, 1 => Batch - 1 - k, _ => (k * 5) % Batch });
                        TrackedNativeMemory.Free((void*)blocks[i]);
                    }
                }

                step.SignalAndWait();
            }
        })).ToArray();
        foreach (Thread racer in racers)
        {
            racer.Start();
        }

        foreach (Thread racer in racers)
        {
            Assert.True(racer.Join(TimeSpan.FromSeconds(120)), "the racers did not finish");
        }

        const long Blocks = (long)Rounds * Window;
        Assert.Equal(new HeapCounts(0, 0, Blocks, Blocks, (Racers - 1) * Blocks), Counts.Change(before, HeapStats.Capture(), AllocationFamily.Native));
    }

    [Fact]
    public void A_block_allocated_on_one_thread_freed_on_a_second_and_freed_again_on_a_third_is_one_free_and_one_double_free()
    {
        // The second free meets the block in the second thread's quarantine (a foreign table's claim put it there), not in
        // the third thread's own table or quarantine. The second thread stays alive meanwhile: an exited thread's
        // quarantine is given back to the system when another thread starts tracking.
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        using var recorder = new AllocatorEventRecorder();
        HeapSnapshot before = HeapStats.Capture();
        nint block = 0;
        RunOnThread(() => block = (nint)TrackedNativeMemory.Alloc(48));

        using var freed = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var second = new Thread(() =>
        {
            TrackedNativeMemory.Free((void*)block);
            freed.Set();
            release.Wait(TimeSpan.FromSeconds(60));
        });
        second.Start();
        try
        {
            Assert.True(freed.Wait(TimeSpan.FromSeconds(60)), "the second thread did not free the block");
            RunOnThread(() => TrackedNativeMemory.Free((void*)block)); // glibc would abort here
        }
        finally
        {
            release.Set();
            Assert.True(second.Join(TimeSpan.FromSeconds(60)), "the second thread did not end");
        }

        Assert.Equal(new HeapCounts(0, 0, 1, 1, 1), Counts.Change(before, HeapStats.Capture(), AllocationFamily.Native));
        MisuseEvent misuse = Assert.Single(recorder.Misuses, m => m.Address == block);
        Assert.Equal((MisuseKind.DoubleFree, AllocationFamily.Native, 48L), (misuse.Kind, misuse.BlockFamily, misuse.Size));
    }

    [Fact]
    public void A_tracked_site_names_the_block_as_caller_info_would()
    {
        // What the interception generator passes: one TrackedSite per call, created once.
        using LeakGateScope gate = LeakGate.Begin();
        var site = new TrackedSite("/src/Interop.cs", 4242, "Load");
        nint block = TrackedMarshal.AllocHGlobal(19, site);
        nint again = TrackedMarshal.AllocHGlobal(20, site);

        LeakSite leak = Assert.Single(gate.GetLeaks());
        Assert.Equal(("/src/Interop.cs", 4242, "Load", AllocationFamily.HGlobal, 2L, 39L), (leak.File, leak.Line, leak.Member, leak.Family, leak.Blocks, leak.Bytes));

        var unload = new TrackedSite("/src/Interop.cs", 4250, "Unload");
        TrackedMarshal.FreeHGlobal(block, unload);
        TrackedMarshal.FreeHGlobal(again, unload);
        gate.AssertNoLeaks();
    }

    [Fact]
    public void Frees_over_the_quarantine_budget_give_older_blocks_back_and_the_newest_are_still_caught_twice()
    {
        // 100 KB blocks: at most two fit the 256 KB budget, so every later free gives the oldest back first (the general
        // path), and the last two freed are still held back: their second frees are double frees.
        using var policy = new MisusePolicyScope(MisusePolicy.Report);
        HeapSnapshot before = HeapStats.Capture();
        var blocks = Enumerable.Range(0, 6).Select(_ => (nint)TrackedNativeMemory.Alloc(100 * 1024)).ToArray();
        foreach (nint block in blocks)
        {
            TrackedNativeMemory.Free((void*)block);
        }

        TrackedNativeMemory.Free((void*)blocks[^1]);
        TrackedNativeMemory.Free((void*)blocks[^2]);

        Assert.Equal(new HeapCounts(0, 0, 6, 6, 2), Counts.Change(before, HeapStats.Capture(), AllocationFamily.Native));
    }

    private static void RunOnThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "the thread did not finish");
    }
}
