namespace LeakScope.Allocator.Tests;

[Collection(OwnedMemoryCollection.Name)]
public class LeakGateTests
{
    [Fact]
    public unsafe void A_scope_whose_blocks_were_all_freed_passes()
    {
        using var gate = LeakGate.Begin();
        void* raw = RawHeap.Malloc(100);
        void* pool = PoolHeap.Calloc(3, 8);
        pool = PoolHeap.Realloc(pool, 4_000);
        using (new NativeArray<int>(10))
        {
            Assert.Equal(3, gate.LiveBlocks);
            Assert.Equal(100 + 4_000 + 40, gate.LiveBytes);
        }

        RawHeap.Free(raw);
        PoolHeap.Free(pool);
        gate.AssertNoLeaks();
        Assert.Empty(gate.GetLeaks());
    }

    [Fact]
    public unsafe void A_failing_scope_names_each_site_with_file_line_member_and_bytes_grouped_by_site()
    {
        void*[] blocks = new void*[4];
        var gate = LeakGate.Begin();
        int beginLine = Sites.Line() - 1;
        int poolLine = 0;
        for (int i = 0; i < 3; i++)
        {
            poolLine = Sites.Line(); blocks[i] = PoolHeap.Malloc(48);
        }

        int rawLine = Sites.Line(); blocks[3] = RawHeap.Malloc(1_000);

        LeakGateException failure = Assert.Throws<LeakGateException>(gate.AssertNoLeaks);
        string message = failure.Message;
        Assert.Contains("4 blocks (1144 B)", message);
        Assert.Contains($"scope begun at LeakGateTests.cs:{beginLine}", message);
        Assert.Contains($"LeakGateTests.cs:{rawLine} ({nameof(A_failing_scope_names_each_site_with_file_line_member_and_bytes_grouped_by_site)}): 1 block, 1000 B (Raw)", message);
        Assert.Contains($"LeakGateTests.cs:{poolLine} ({nameof(A_failing_scope_names_each_site_with_file_line_member_and_bytes_grouped_by_site)}): 3 blocks, 144 B (Pool)", message);
        Assert.True(message.IndexOf($":{rawLine} ", StringComparison.Ordinal) < message.IndexOf($":{poolLine} ", StringComparison.Ordinal), "largest site first");

        Assert.Equal(4, failure.LeakedBlocks);
        Assert.Equal(1_144, failure.LeakedBytes);
        Assert.Equal(2, failure.Leaks.Count);
        Assert.Equal(new LeakSite(failure.Leaks[1].File, poolLine, failure.Leaks[1].Member, AllocationFamily.Pool, 3, 144), failure.Leaks[1]);
        Assert.EndsWith("LeakGateTests.cs", failure.Leaks[0].File);

        for (int i = 0; i < 3; i++)
        {
            PoolHeap.Free(blocks[i]);
        }

        RawHeap.Free(blocks[3]);
        gate.AssertNoLeaks();
        gate.Dispose();
        Assert.Throws<ObjectDisposedException>(gate.AssertNoLeaks);
    }

    [Fact]
    public void An_undisposed_owner_fails_the_gate_at_its_creation_site()
    {
        using var gate = LeakGate.Begin();
        int line = Sites.Line(); var array = new NativeArray<long>(16, AllocationFamily.Raw);
        LeakGateException failure = Assert.Throws<LeakGateException>(gate.AssertNoLeaks);
        Assert.Contains($"LeakGateTests.cs:{line} ", failure.Message);
        Assert.Contains("1 block, 128 B (Raw)", failure.Message);

        // A resize moves the block to the resize site; the gate follows it.
        int resizeLine = Sites.Line(); array.Resize(20);
        failure = Assert.Throws<LeakGateException>(gate.AssertNoLeaks);
        Assert.Contains($"LeakGateTests.cs:{resizeLine} ", failure.Message);
        Assert.Contains("160 B", failure.Message);

        array.Dispose();
        gate.AssertNoLeaks();
    }

    [Fact]
    public unsafe void Blocks_from_before_the_scope_are_not_its_own_even_when_freed_or_reallocated_inside_it()
    {
        void* before = PoolHeap.Malloc(64);
        using var array = new NativeArray<byte>(10);
        using (var gate = LeakGate.Begin())
        {
            before = PoolHeap.Realloc(before, 2_000);
            array.Resize(20);
            Assert.Equal(0, gate.LiveBlocks);
            gate.AssertNoLeaks();
        }

        PoolHeap.Free(before);
    }

    [Fact]
    public async Task A_scope_tracks_its_async_flow_and_counts_frees_from_any_thread()
    {
        using var gate = LeakGate.Begin();
        nint fromTask = await Task.Run(() => RawMalloc(24));
        var thread = new Thread(() => PoolFree(PoolMalloc(8)));
        thread.Start();
        thread.Join();
        Assert.Equal(1, gate.LiveBlocks);
        Assert.Equal(24, gate.LiveBytes);

        // Freed on another thread: still counts.
        var freer = new Thread(() => RawFree(fromTask));
        freer.Start();
        freer.Join();
        gate.AssertNoLeaks();
    }

    [Fact]
    public async Task A_scope_follows_await_continuations()
    {
        using var gate = LeakGate.Begin();
        await Task.Yield();
        nint block = PoolMalloc(40);
        await CompletedOnAnotherThread();
        Assert.Equal(1, gate.LiveBlocks);
        PoolFree(block);
        gate.AssertNoLeaks();
    }

    [Fact]
    public async Task A_flow_that_does_not_inherit_the_scope_is_not_tracked()
    {
        using var gate = LeakGate.Begin();
        Task<nint> untracked;
        using (ExecutionContext.SuppressFlow())
        {
            untracked = Task.Run(() => PoolMalloc(16));
        }

        nint block = await untracked;
        Assert.Equal(0, gate.LiveBlocks);
        PoolFree(block);
        gate.AssertNoLeaks();
    }

    [Fact]
    public async Task Concurrent_scopes_on_different_flows_see_only_their_own_blocks()
    {
        using var start = new Barrier(2);
        (long Blocks, long Bytes) Run(int size)
        {
            using var gate = LeakGate.Begin();
            start.SignalAndWait();
            nint p = RawMalloc(size);
            start.SignalAndWait();
            (long, long) seen = (gate.LiveBlocks, gate.LiveBytes);
            start.SignalAndWait();
            RawFree(p);
            gate.AssertNoLeaks();
            return seen;
        }

        (long, long)[] seen = await Task.WhenAll(
            Task.Factory.StartNew(() => Run(100), TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(() => Run(200), TaskCreationOptions.LongRunning));
        Assert.Equal((1L, 100L), seen[0]);
        Assert.Equal((1L, 200L), seen[1]);
    }

    [Fact]
    public unsafe void Nested_scopes_both_track_the_inner_blocks_and_the_parent_becomes_current_again()
    {
        using var outer = LeakGate.Begin();
        void* first = PoolHeap.Malloc(10);
        void* second;
        using (var inner = LeakGate.Begin())
        {
            second = PoolHeap.Malloc(20);
            Assert.Equal(1, inner.LiveBlocks);
            Assert.Equal(2, outer.LiveBlocks);
            Assert.Throws<LeakGateException>(inner.AssertNoLeaks);
            PoolHeap.Free(second);
            inner.AssertNoLeaks();
            second = PoolHeap.Malloc(30);
        }

        void* third = PoolHeap.Malloc(40);
        Assert.Equal(3, outer.LiveBlocks);
        Assert.Equal(80, outer.LiveBytes);
        PoolHeap.Free(first);
        PoolHeap.Free(second);
        PoolHeap.Free(third);
        outer.AssertNoLeaks();
    }

    [Fact]
    public unsafe void Disposing_an_outer_scope_first_leaves_the_inner_one_working()
    {
        var outer = LeakGate.Begin();
        using var inner = LeakGate.Begin();
        outer.Dispose();
        Assert.False(outer.IsOpen);
        void* p = RawHeap.Malloc(8);
        Assert.Equal(1, inner.LiveBlocks);
        RawHeap.Free(p);
        inner.AssertNoLeaks();
    }

    private static unsafe nint RawMalloc(int size) => (nint)RawHeap.Malloc((nuint)size);

    private static unsafe void RawFree(nint block) => RawHeap.Free((void*)block);

    private static unsafe nint PoolMalloc(int size) => (nint)PoolHeap.Malloc((nuint)size);

    private static unsafe void PoolFree(nint block) => PoolHeap.Free((void*)block);

    /// <summary>An await that resumes after another thread completed it, as I/O does: the continuation is not inlined.</summary>
    private static Task CompletedOnAnotherThread()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => done.SetResult()) { IsBackground = true }.Start();
        return done.Task;
    }
}
