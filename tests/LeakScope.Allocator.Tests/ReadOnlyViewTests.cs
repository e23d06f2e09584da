using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;
using Ids = LeakScope.Wire.WireSchema.EventIds;

namespace LeakScope.Allocator.Tests;

/// <summary><see cref="NativeBuffer{T}.AcquireReadOnlyView"/>: read-only by type, and a view like any other.</summary>
[Collection(OwnedMemoryCollection.Name)]
public class ReadOnlyViewTests
{
    [Fact]
    public void A_read_only_view_reads_the_buffer_through_a_ReadOnlySpan_and_names_its_attributes()
    {
        using var buffer = new NativeBuffer<short>(5);
        buffer.GetSpan()[3] = 42;
        using ReadOnlyBufferView<short> view = buffer.AcquireReadOnlyView();

        ReadOnlySpan<short> span = view.Span;
        Assert.Equal([0, 0, 0, 42, 0], span.ToArray());
        Assert.Equal(5, view.Length);
        Assert.Equal(sizeof(short), view.ItemSize);
        Assert.Equal(10, view.NBytes);
        Assert.Same(buffer, view.Base);
        Assert.True(view.IsReadOnly);
        Assert.Equal(typeof(ReadOnlySpan<short>), typeof(ReadOnlyBufferView<short>).GetProperty(nameof(view.Span))!.PropertyType);
    }

    [Fact]
    public void A_read_only_view_blocks_resizes_and_is_named_as_one_until_disposed()
    {
        using var events = new OwnerEventRecorder();
        using var buffer = new NativeBuffer<int>(4);
        int line = Sites.Line(); ReadOnlyBufferView<int> view = buffer.AcquireReadOnlyView();
        Assert.Equal(1, buffer.ViewCount);

        BufferBusyException busy = Assert.Throws<BufferBusyException>(() => buffer.Resize(8));
        OutstandingView outstanding = Assert.Single(busy.OutstandingViews);
        Assert.Equal(BufferViewKind.ReadOnlyView, outstanding.Kind);
        Assert.Equal(line, outstanding.Line);
        Assert.Contains($"read-only view #{view.ViewId} acquired at ReadOnlyViewTests.cs:{line}", busy.Message);
        Assert.Equal(4, buffer.Length);

        view.Dispose();
        view.Dispose();
        Assert.Throws<ObjectDisposedException>(() => view.Span.Length);
        buffer.Resize(8);

        // On the wire a read-only view is a whole-buffer view, acquired and released at its site.
        IReadOnlyList<RecordedEvent> published = events.Where("ViewId", view.ViewId, Ids.ViewAcquired, Ids.ViewReleased);
        Assert.Equal(["ViewAcquired", "ViewReleased"], published.Select(e => e.Name));
        Assert.All(published, e => Assert.Equal((long)ViewKind.View, e.Long("ViewKind")));
        Assert.Equal(line, Sites.Of(published[0].Long("SiteId")).Line);
    }

    [Fact]
    public void A_read_only_view_never_disposed_is_reported_as_leaked()
    {
        using var events = new OwnerEventRecorder();
        using var buffer = new NativeBuffer<int>(4);
        (long viewId, int line) = Leak(buffer);

        Finalization.CollectUntil(() => buffer.ViewCount == 0, "the leaked read-only view's release");
        RecordedEvent leaked = Assert.Single(events.Where("ViewId", viewId, Ids.ViewLeaked));
        Assert.Equal(line, Sites.Of(leaked.Long("SiteId")).Line);
        Assert.Equal(buffer.OwnerId, leaked.Long("OwnerId"));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long ViewId, int Line) Leak(NativeBuffer<int> buffer)
    {
        int line = Sites.Line(); ReadOnlyBufferView<int> view = buffer.AcquireReadOnlyView();
        return (view.ViewId, line);
    }
}
