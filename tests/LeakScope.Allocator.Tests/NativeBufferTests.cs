using System.Buffers;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests;

[Collection(OwnedMemoryCollection.Name)]
public class NativeBufferTests
{
    [Fact]
    public void A_new_buffer_is_zeroed_and_exposes_its_storage_as_memory()
    {
        using var gate = LeakGate.Begin();
        using (var buffer = new NativeBuffer<int>(4, AllocationFamily.Raw))
        {
            Assert.Equal(4, buffer.Length);
            Assert.Equal(AllocationFamily.Raw, buffer.Family);
            Assert.Equal(0, buffer.ViewCount);
            Assert.Equal([0, 0, 0, 0], buffer.GetSpan().ToArray());

            Memory<int> memory = buffer.Memory;
            memory.Span[2] = 5;
            Assert.Equal(5, buffer.GetSpan()[2]);
            Assert.Equal(16, gate.LiveBytes);
        }

        gate.AssertNoLeaks();
    }

    [Fact]
    public void Resize_reallocates_and_zeroes_added_elements()
    {
        using var gate = LeakGate.Begin();
        using (var buffer = new NativeBuffer<byte>(3))
        {
            buffer.GetSpan().Fill(1);
            buffer.Resize(600);
            Assert.Equal(600, buffer.Length);
            Assert.Equal([1, 1, 1, 0], buffer.GetSpan()[..4].ToArray());
            Assert.Equal(0, buffer.GetSpan()[599]);
            buffer.Resize(2);
            Assert.Equal([1, 1], buffer.GetSpan().ToArray());
            buffer.Resize(0);
            Assert.Equal(0, buffer.Length);
            Assert.Equal(1, gate.LiveBlocks);
            Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Resize(-1));
        }

        gate.AssertNoLeaks();
    }

    [Fact]
    public void Append_adds_elements_even_from_the_buffers_own_storage()
    {
        using var buffer = new NativeBuffer<int>(0);
        buffer.Append([1, 2]);
        buffer.Append(ReadOnlySpan<int>.Empty);
        for (int i = 0; i < 5; i++)
        {
            buffer.Append(buffer.GetSpan());
        }

        Assert.Equal(64, buffer.Length);
        for (int i = 0; i < buffer.Length; i++)
        {
            Assert.Equal((i % 2) + 1, buffer.GetSpan()[i]);
        }
    }

    [Fact]
    public void A_view_counts_until_disposed_and_disposing_twice_releases_once()
    {
        using var buffer = new NativeBuffer<int>(3);
        BufferView<int> first = buffer.AcquireView();
        BufferView<int> second = buffer.AcquireView();
        Assert.Equal(2, buffer.ViewCount);
        Assert.Equal(3, first.Length);

        first.Span[1] = 42;
        Assert.Equal(42, second.Span[1]);
        Assert.Equal(42, buffer.GetSpan()[1]);

        first.Dispose();
        first.Dispose();
        Assert.Equal(1, buffer.ViewCount);
        Assert.True(first.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => first.Span.Length);

        second.Dispose();
        Assert.Equal(0, buffer.ViewCount);
    }

    [Fact]
    public void Resize_and_append_are_refused_while_viewed_naming_every_view_then_allowed_once_released()
    {
        using var buffer = new NativeBuffer<int>(4);
        int viewLine = Sites.Line(); BufferView<int> view = buffer.AcquireView();
        MemoryHandle pin = buffer.Memory.Pin();

        BufferBusyException busy = Assert.Throws<BufferBusyException>(() => buffer.Resize(8));
        Assert.IsAssignableFrom<InvalidOperationException>(busy);
        Assert.Equal(8, busy.RequestedLength);
        Assert.Equal(buffer.OwnerId, busy.OwnerId);
        Assert.Equal(2, busy.OutstandingViews.Count);
        Assert.Equal(BufferViewKind.View, busy.OutstandingViews[0].Kind);
        Assert.Equal(viewLine, busy.OutstandingViews[0].Line);
        Assert.Equal(view.ViewId, busy.OutstandingViews[0].ViewId);
        Assert.Equal(nameof(NativeBufferTests) + ".cs", Path.GetFileName(busy.OutstandingViews[0].File));
        Assert.Equal(BufferViewKind.Pin, busy.OutstandingViews[1].Kind);
        Assert.Contains($"NativeBufferTests.cs:{viewLine}", busy.Message);
        Assert.Contains("pin #", busy.Message);
        Assert.Contains("2 view(s) outstanding", busy.Message);

        Assert.Throws<BufferBusyException>(() => buffer.Append([1, 2, 3]));
        Assert.Equal(4, buffer.Length);

        view.Dispose();
        BufferBusyException stillPinned = Assert.Throws<BufferBusyException>(() => buffer.Resize(8));
        Assert.Equal(BufferViewKind.Pin, Assert.Single(stillPinned.OutstandingViews).Kind);

        pin.Dispose();
        buffer.Resize(8);
        buffer.Append([1, 2, 3]);
        Assert.Equal(11, buffer.Length);
    }

    [Fact]
    public void A_refused_resize_is_not_misuse()
    {
        long misuse = HeapStats.Capture().MisuseCount;
        using var buffer = new NativeBuffer<int>(4);
        using (buffer.AcquireView())
        {
            Assert.Throws<BufferBusyException>(() => buffer.Resize(5));
        }

        Assert.Equal(misuse, HeapStats.Capture().MisuseCount);
    }

    [Fact]
    public unsafe void Memory_pin_counts_as_a_view_until_its_handle_is_disposed()
    {
        using var buffer = new NativeBuffer<long>(8);
        buffer.GetSpan()[3] = 33;

        MemoryHandle handle = buffer.Memory.Slice(3).Pin();
        Assert.Equal(1, buffer.ViewCount);
        Assert.Equal(33, *(long*)handle.Pointer);

        MemoryHandle copy = handle;
        handle.Dispose();
        copy.Dispose(); // the same pin, released once
        Assert.Equal(0, buffer.ViewCount);

        using (MemoryHandle direct = buffer.Pin(8))
        {
            Assert.Equal(1, buffer.ViewCount);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Pin(9));
        Assert.Equal(0, buffer.ViewCount);
        Assert.Throws<InvalidOperationException>(() => buffer.Unpin());
    }

    [Fact]
    public void Dispose_with_views_outstanding_is_reported_and_the_storage_outlives_the_last_view()
    {
        using var policy = MisusePolicyOverride.Use(MisusePolicy.Report);
        using var gate = LeakGate.Begin();
        long misuse = HeapStats.Capture().For(AllocationFamily.Pool).MisuseCount;
        var buffer = new NativeBuffer<int>(4);
        BufferView<int> view = buffer.AcquireView();
        view.Span[0] = 7;

        buffer.Dispose();

        Assert.Equal(misuse + 1, HeapStats.Capture().For(AllocationFamily.Pool).MisuseCount);
        Assert.True(buffer.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => buffer.AcquireView());
        Assert.Throws<ObjectDisposedException>(() => buffer.Resize(1));
        Assert.Throws<ObjectDisposedException>(() => buffer.GetSpan());
        Assert.Throws<ObjectDisposedException>(() => buffer.Memory.Pin());

        // The view still reads live memory: the block is freed only when the view goes.
        Assert.Equal(1, gate.LiveBlocks);
        Assert.Equal(7, view.Span[0]);
        view.Dispose();
        gate.AssertNoLeaks();
        Assert.Equal(0, buffer.Length);
        buffer.Dispose();
        Assert.Equal(misuse + 1, HeapStats.Capture().For(AllocationFamily.Pool).MisuseCount);
    }

    [Fact]
    public void Dispose_with_views_under_the_throw_policy_throws_and_leaves_the_buffer_live()
    {
        using var policy = MisusePolicyOverride.Use(MisusePolicy.Throw);
        using var gate = LeakGate.Begin();
        var buffer = new NativeBuffer<int>(4);
        BufferView<int> view = buffer.AcquireView();

        AllocatorMisuseException misuse = Assert.Throws<AllocatorMisuseException>(() => buffer.Dispose());
        Assert.Equal(MisuseKind.DisposeWithViews, misuse.Kind);
        Assert.Equal(buffer.OwnerId, misuse.AllocationId);
        Assert.False(buffer.IsDisposed);
        Assert.Equal(1, buffer.ViewCount);

        view.Dispose();
        buffer.Resize(5);
        buffer.Dispose();
        gate.AssertNoLeaks();
    }

    [Fact]
    public void A_view_never_disposed_is_released_by_its_finalizer()
    {
        using var events = new OwnerEventRecorder();
        using var buffer = new NativeBuffer<int>(4);
        (long viewId, int line) = LeakView(buffer);
        Assert.Equal(1, buffer.ViewCount);

        Finalization.CollectUntil(() => buffer.ViewCount == 0, "the leaked view's release");
        RecordedEvent leaked = Assert.Single(events.Where("ViewId", viewId, WireSchema.EventIds.ViewLeaked));
        Assert.Equal(buffer.OwnerId, leaked.Long("OwnerId"));
        Assert.Equal(line, Sites.Of(leaked.Long("SiteId")).Line);
        Assert.Equal((long)ViewKind.View, leaked.Long("ViewKind"));
        Assert.Empty(events.Where("ViewId", viewId, WireSchema.EventIds.ViewReleased));

        buffer.Resize(10);
    }

    [Fact]
    public void A_pin_whose_handle_is_dropped_is_released_by_its_finalizer()
    {
        using var events = new OwnerEventRecorder();
        using var buffer = new NativeBuffer<int>(4);
        DropPin(buffer);
        Assert.Equal(1, buffer.ViewCount);

        Finalization.CollectUntil(() => buffer.ViewCount == 0, "the dropped pin's release");
        RecordedEvent leaked = Assert.Single(events.Where("OwnerId", buffer.OwnerId, WireSchema.EventIds.ViewLeaked));
        Assert.Equal((long)ViewKind.Pin, leaked.Long("ViewKind"));
        Assert.Equal(NativeBuffer<int>.PinSiteMember, Sites.Of(leaked.Long("SiteId")).Member);
    }

    [Fact]
    public void A_buffer_never_disposed_is_freed_by_its_finalizer_even_with_leaked_views()
    {
        using var events = new OwnerEventRecorder();
        (long ownerId, long viewId) = AbandonBufferWithView();

        Finalization.CollectUntil(
            () => events.Where("OwnerId", ownerId, WireSchema.EventIds.OwnerFinalized).Count == 1
               && events.Where("ViewId", viewId, WireSchema.EventIds.ViewLeaked).Count == 1,
            "the abandoned buffer's OwnerFinalized and its view's ViewLeaked");

        RecordedEvent finalized = events.Where("OwnerId", ownerId, WireSchema.EventIds.OwnerFinalized).Single();
        Assert.Equal((long)OwnerKind.NativeBuffer, finalized.Long("OwnerKind"));
        Assert.Equal(40, finalized.Long("Bytes"));
        Assert.Single(events.Where("AllocationId", finalized.Long("AllocationId"), WireSchema.EventIds.BlockFreed));
        Assert.Empty(events.Where("AllocationId", ownerId, WireSchema.EventIds.Misuse));
    }

    [Fact]
    public void Views_can_be_acquired_and_released_from_many_threads()
    {
        using var buffer = new NativeBuffer<int>(16);
        Parallel.For(0, 2_000, i =>
        {
            using BufferView<int> view = buffer.AcquireView();
            Interlocked.Increment(ref view.Span[i % 16]);
        });

        Assert.Equal(0, buffer.ViewCount);
        Assert.Equal(2_000, buffer.GetSpan().ToArray().Sum());
        buffer.Resize(32);
    }

    [Fact]
    public async Task Dispose_racing_the_last_view_release_frees_exactly_once()
    {
        using var policy = MisusePolicyOverride.Use(MisusePolicy.Report);
        using var gate = LeakGate.Begin();
        for (int round = 0; round < 200; round++)
        {
            var buffer = new NativeBuffer<byte>(8);
            BufferView<byte> view = buffer.AcquireView();
            var release = Task.Run(view.Dispose);
            buffer.Dispose();
            await release;
        }

        gate.AssertNoLeaks();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long ViewId, int Line) LeakView(NativeBuffer<int> buffer)
    {
        int line = Sites.Line(); BufferView<int> view = buffer.AcquireView();
        return (view.ViewId, line);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void DropPin(NativeBuffer<int> buffer)
    {
        MemoryHandle handle = buffer.Memory.Pin();
        Assert.True(handle.Pointer != null);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long OwnerId, long ViewId) AbandonBufferWithView()
    {
        var buffer = new NativeBuffer<int>(10);
        BufferView<int> view = buffer.AcquireView();
        return (buffer.OwnerId, view.ViewId);
    }
}
