using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Wire;

namespace LeakScope.Allocator.Tests;

[Collection(OwnedMemoryCollection.Name)]
public class StridedViewTests
{
    /// <summary>A buffer holding 0, 1, 2, … so that every element names its own offset.</summary>
    private static NativeBuffer<int> Iota(int length)
    {
        var buffer = new NativeBuffer<int>(length);
        Span<int> span = buffer.GetSpan();
        for (int i = 0; i < length; i++)
        {
            span[i] = i;
        }

        return buffer;
    }

    [Fact]
    public void A_C_ordered_view_has_row_major_strides_and_indexes_the_buffer()
    {
        using NativeBuffer<int> buffer = Iota(24);
        using StridedView<int> v = buffer.AcquireStridedView([2, 3, 4]);
        Assert.Equal(3, v.Rank);
        Assert.Equal([2, 3, 4], v.Shape.ToArray());
        Assert.Equal([12L, 4, 1], v.Strides.ToArray());
        Assert.Equal(24, v.FlattenedLength);
        Assert.True(v.IsCContiguous);
        Assert.False(v.IsFortranContiguous);
        Assert.Equal(23, v[1, 2, 3]);
        Assert.Equal(9, v[[0, 2, 1]]);
        v[1, 0, 0] = -1;
        Assert.Equal(-1, buffer.GetSpan()[12]);
        Assert.Throws<IndexOutOfRangeException>(() => v[2, 0, 0]);
        Assert.Throws<ArgumentException>(() => v[0, 0]);
    }

    [Fact]
    public void A_Fortran_ordered_view_has_column_major_strides()
    {
        using NativeBuffer<int> buffer = Iota(6);
        using StridedView<int> v = buffer.AcquireStridedView([2, 3], MemoryOrder.Fortran);
        Assert.Equal([1L, 2], v.Strides.ToArray());
        Assert.True(v.IsFortranContiguous);
        Assert.False(v.IsCContiguous);
        Assert.Equal(5, v[1, 2]);
        Assert.Equal([0, 2, 4, 1, 3, 5], v.ToArray());
    }

    [Fact]
    public void Explicit_strides_and_offset_are_checked_against_the_buffer()
    {
        using NativeBuffer<int> buffer = Iota(10);
        using (StridedView<int> reversed = buffer.AcquireStridedView([5], [-2], offset: 9))
        {
            Assert.Equal([9, 7, 5, 3, 1], reversed.ToArray());
            Assert.Equal(9, reversed.Offset);
        }

        using (StridedView<int> broadcast = buffer.AcquireStridedView([3, 2], [0, 1], offset: 4))
        {
            Assert.Equal([4, 5, 4, 5, 4, 5], broadcast.ToArray());
        }

        Assert.Throws<ArgumentException>(() => buffer.AcquireStridedView([5], [2], offset: 2));
        Assert.Throws<ArgumentException>(() => buffer.AcquireStridedView([2], [-1], offset: 0));
        Assert.Throws<ArgumentException>(() => buffer.AcquireStridedView([2, 2], [1]));
        Assert.Throws<ArgumentException>(() => buffer.AcquireStridedView([11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.AcquireStridedView([-1]));
        Assert.Equal(0, buffer.ViewCount);

        using StridedView<int> empty = buffer.AcquireStridedView([0, 5], [100, 100], offset: 50);
        Assert.Equal(0, empty.FlattenedLength);
        Assert.Empty(empty.ToArray());
    }

    [Fact]
    public void Slice_takes_start_stop_step_per_dimension_with_python_semantics()
    {
        using NativeBuffer<int> buffer = Iota(20);
        using StridedView<int> m = buffer.AcquireStridedView([4, 5]);

        using StridedView<int> rows = m.Slice(0, 1, 3);
        Assert.Equal([2, 5], rows.Shape.ToArray());
        Assert.Equal([5, 6, 7, 8, 9, 10, 11, 12, 13, 14], rows.ToArray());
        Assert.True(rows.IsCContiguous);

        using StridedView<int> everyOther = m.Slice(1, step: 2);
        Assert.Equal([4, 3], everyOther.Shape.ToArray());
        Assert.Equal([5L, 2], everyOther.Strides.ToArray());
        Assert.False(everyOther.IsCContiguous);
        Assert.Equal(14, everyOther[2, 2]);

        using StridedView<int> reversed = m.Slice([new SliceRange(Step: -1), new SliceRange(-2)]);
        Assert.Equal([4, 2], reversed.Shape.ToArray());
        Assert.Equal([18, 19, 13, 14, 8, 9, 3, 4], reversed.ToArray());

        using StridedView<int> none = m.Slice(0, 3, 1);
        Assert.Equal([0, 5], none.Shape.ToArray());
        Assert.Empty(none.ToArray());

        Assert.Throws<ArgumentOutOfRangeException>(() => m.Slice(2, 0, 1));
        Assert.Throws<ArgumentException>(() => m.Slice([SliceRange.All, SliceRange.All, SliceRange.All]));
    }

    [Fact]
    public void Select_removes_a_dimension_and_unsqueeze_adds_one()
    {
        using NativeBuffer<int> buffer = Iota(12);
        using StridedView<int> m = buffer.AcquireStridedView([3, 4]);

        using StridedView<int> row = m.Select(0, 2);
        Assert.Equal([4], row.Shape.ToArray());
        Assert.Equal([8, 9, 10, 11], row.ToArray());
        Assert.Equal(9, row[1]);

        using StridedView<int> column = m.Select(1, 3);
        Assert.Equal([3, 7, 11], column.ToArray());
        Assert.Equal([4L], column.Strides.ToArray());

        using StridedView<int> scalar = row.Select(0, 0);
        Assert.Equal(0, scalar.Rank);
        Assert.Equal(1, scalar.FlattenedLength);
        Assert.Equal([8], scalar.ToArray());

        using StridedView<int> lifted = row.Unsqueeze(0);
        Assert.Equal([1, 4], lifted.Shape.ToArray());
        Assert.Equal(10, lifted[0, 2]);
        using StridedView<int> columnVector = row.Unsqueeze(1);
        Assert.Equal([4, 1], columnVector.Shape.ToArray());
        Assert.True(columnVector.IsCContiguous);
        Assert.Throws<ArgumentOutOfRangeException>(() => row.Unsqueeze(3));
        Assert.Throws<IndexOutOfRangeException>(() => m.Select(0, 3));
    }

    [Fact]
    public void Transpose_reverses_dimensions_and_permute_reorders_them()
    {
        using NativeBuffer<int> buffer = Iota(24);
        using StridedView<int> v = buffer.AcquireStridedView([2, 3, 4]);

        using StridedView<int> t = v.Transpose();
        Assert.Equal([4, 3, 2], t.Shape.ToArray());
        Assert.Equal([1L, 4, 12], t.Strides.ToArray());
        Assert.True(t.IsFortranContiguous);
        Assert.Equal(v[1, 2, 3], t[3, 2, 1]);

        using StridedView<int> p = v.PermuteDimensions([1, 0, 2]);
        Assert.Equal([3, 2, 4], p.Shape.ToArray());
        Assert.Equal(v[1, 2, 3], p[2, 1, 3]);

        Assert.Throws<ArgumentException>(() => v.PermuteDimensions([0, 0, 1]));
        Assert.Throws<ArgumentException>(() => v.PermuteDimensions([0, 1]));
    }

    [Fact]
    public void Copy_and_CopyFortran_make_contiguous_owned_copies()
    {
        using var gate = LeakGate.Begin();
        using (NativeBuffer<int> buffer = Iota(12))
        using (StridedView<int> m = buffer.AcquireStridedView([3, 4]))
        using (StridedView<int> slice = m.Slice([new SliceRange(Step: 2), new SliceRange(1, Step: 2)]))
        {
            using StridedView<int> c = slice.Copy();
            Assert.True(c.IsCContiguous);
            Assert.Equal([2, 2], c.Shape.ToArray());
            Assert.Equal([1, 3, 9, 11], c.ToArray());
            Assert.Equal([1, 3, 9, 11], c.AsSpan().ToArray());
            c[0, 0] = 100;
            Assert.Equal(1, m[0, 1]);

            using StridedView<int> f = slice.CopyFortran(AllocationFamily.Raw);
            Assert.True(f.IsFortranContiguous);
            Assert.Equal([1L, 2], f.Strides.ToArray());
            Assert.Equal([1, 3, 9, 11], f.ToArray());
            Assert.Throws<InvalidOperationException>(() => f.AsSpan());
            Assert.Equal(3, gate.LiveBlocks); // the buffer and the two copies; views hold no blocks
        }

        gate.AssertNoLeaks();
    }

    [Fact]
    public void CopyTo_copies_between_views_of_equal_shape_even_when_they_overlap()
    {
        using NativeBuffer<int> buffer = Iota(10);
        using (StridedView<int> head = buffer.AcquireStridedView([8], [1], offset: 0))
        using (StridedView<int> shifted = buffer.AcquireStridedView([8], [1], offset: 2))
        {
            head.CopyTo(shifted);
        }

        Assert.Equal([0, 1, 0, 1, 2, 3, 4, 5, 6, 7], buffer.GetSpan().ToArray());

        using NativeBuffer<int> other = new(6);
        using StridedView<int> source = buffer.AcquireStridedView([2, 3]);
        using StridedView<int> target = other.AcquireStridedView([3, 2]);
        using StridedView<int> transposed = target.Transpose();
        source.CopyTo(transposed);
        Assert.Equal([0, 1, 1, 2, 0, 3], other.GetSpan().ToArray());
        Assert.Throws<ArgumentException>(() => source.CopyTo(target));
    }

    [Fact]
    public void Fill_sets_only_the_viewed_elements()
    {
        using NativeBuffer<int> buffer = Iota(9);
        using StridedView<int> m = buffer.AcquireStridedView([3, 3]);
        using StridedView<int> diagonal = buffer.AcquireStridedView([3], [4]);
        diagonal.Fill(-1);
        Assert.Equal([-1, 1, 2, 3, -1, 5, 6, 7, -1], m.ToArray());
    }

    [Fact]
    public void Every_strided_view_holds_the_buffers_view_count_until_disposed()
    {
        using NativeBuffer<int> buffer = Iota(12);
        int line = Sites.Line(); StridedView<int> m = buffer.AcquireStridedView([3, 4]);
        int sliceLine = Sites.Line(); StridedView<int> row = m.Select(0, 1);
        Assert.Equal(2, buffer.ViewCount);

        BufferBusyException busy = Assert.Throws<BufferBusyException>(() => buffer.Resize(20));
        Assert.Equal([BufferViewKind.Strided, BufferViewKind.Strided], busy.OutstandingViews.Select(v => v.Kind));
        Assert.Equal([line, sliceLine], busy.OutstandingViews.Select(v => v.Line));
        Assert.Contains($"StridedViewTests.cs:{sliceLine}", busy.Message);

        m.Dispose();
        Assert.Equal(1, buffer.ViewCount);
        Assert.Equal(5, row[1]); // a derived view stays usable after its parent is released
        Assert.Throws<ObjectDisposedException>(() => m[0, 0]);
        Assert.Throws<ObjectDisposedException>(() => m.Transpose());
        Assert.True(m.IsDisposed);

        row.Dispose();
        row.Dispose();
        Assert.Equal(0, buffer.ViewCount);
        buffer.Resize(20);
    }

    [Fact]
    public void A_view_names_its_item_size_bytes_base_and_per_dimension_layouts()
    {
        using NativeBuffer<long> buffer = new(24);
        using StridedView<long> v = buffer.AcquireStridedView([2, 3, 4]);
        Assert.Equal(sizeof(long), v.ItemSize);
        Assert.Equal(24L * sizeof(long), v.NBytes);
        Assert.Same(buffer, v.Base);
        Assert.False(v.IsReadOnly);
        Assert.Equal([DimensionLayout.Strided, DimensionLayout.Strided, DimensionLayout.Contiguous], Enumerable.Range(0, 3).Select(v.LayoutOf));

        using StridedView<long> everyOther = v.Slice(2, step: 2);
        Assert.Equal(12L * sizeof(long), everyOther.NBytes);
        Assert.Same(buffer, everyOther.Base);
        Assert.Equal(DimensionLayout.Strided, everyOther.LayoutOf(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.LayoutOf(3));

        using StridedView<long> copy = v.Copy();
        Assert.NotSame(buffer, copy.Base);
        Assert.Equal(24, copy.Base.Length);
    }

    [Fact]
    public void A_read_only_view_refuses_every_write_and_so_do_the_views_derived_from_it()
    {
        using NativeBuffer<int> buffer = Iota(6);
        using StridedView<int> m = buffer.AcquireStridedView([2, 3]);
        using StridedView<int> ro = m.AsReadOnly();
        using StridedView<int> row = ro.Select(0, 1);
        Assert.True(ro.IsReadOnly);
        Assert.True(row.IsReadOnly);
        Assert.False(m.IsReadOnly);
        Assert.Equal(3, buffer.ViewCount);

        Assert.Equal(5, ro.ItemRef(1, 2));
        Assert.Equal([3, 4, 5], row.ToArray());
        Assert.Equal([0, 1, 2, 3, 4, 5], ro.AsReadOnlySpan().ToArray());
        Assert.Throws<InvalidOperationException>(() => ro[0, 0] = 7);
        Assert.Throws<InvalidOperationException>(() => row[0]);
        Assert.Throws<InvalidOperationException>(() => row.Fill(7));
        Assert.Throws<InvalidOperationException>(() => ro.AsSpan());
        Assert.Throws<InvalidOperationException>(() => m.CopyTo(ro));

        // Reading out of a read-only view into a writable one is fine.
        using NativeBuffer<int> other = new(6);
        using StridedView<int> target = other.AcquireStridedView([2, 3]);
        ro.CopyTo(target);
        Assert.Equal([0, 1, 2, 3, 4, 5], other.GetSpan().ToArray());
        Assert.Equal([0, 1, 2, 3, 4, 5], buffer.GetSpan().ToArray());
    }

    [Theory]
    [InlineData(new[] { 5 }, new[] { 1L << 62 }, 0L)]
    [InlineData(new[] { 3 }, new[] { long.MaxValue / 2 + 1 }, 0L)]
    [InlineData(new[] { 2 }, new[] { long.MinValue }, 0L)]
    [InlineData(new[] { 2 }, new[] { 1L }, long.MaxValue)]
    [InlineData(new[] { 2, 2 }, new[] { long.MaxValue / 2, long.MaxValue / 2 }, 0L)]
    [InlineData(new[] { 0, 3 }, new[] { 1L, long.MaxValue }, 0L)]
    [InlineData(new[] { int.MaxValue, int.MaxValue, int.MaxValue, 0 }, new[] { 0L, 0L, 0L, 0L }, 0L)]
    public void A_layout_whose_arithmetic_overflows_is_refused(int[] shape, long[] strides, long offset)
    {
        using NativeBuffer<int> buffer = Iota(16);
        Assert.ThrowsAny<ArgumentException>(() => buffer.AcquireStridedView(shape, strides, offset));
        Assert.Equal(0, buffer.ViewCount);
    }

    [Fact]
    public void Slicing_with_a_step_whose_stride_overflows_is_refused()
    {
        using NativeBuffer<int> buffer = Iota(16);
        using StridedView<int> one = buffer.AcquireStridedView([1, 2], [1L << 62, 1], offset: 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => one.Slice(0, step: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.AcquireStridedView([int.MaxValue, int.MaxValue, int.MaxValue]));
        Assert.Equal(1, buffer.ViewCount);
    }

    [Fact]
    public void A_strided_view_never_disposed_is_reported_as_leaked()
    {
        using var events = new OwnerEventRecorder();
        using NativeBuffer<int> buffer = Iota(4);
        (long viewId, int line) = LeakStridedView(buffer);

        Finalization.CollectUntil(() => buffer.ViewCount == 0, "the leaked strided view's release");
        RecordedEvent leaked = Assert.Single(events.Where("ViewId", viewId, WireSchema.EventIds.ViewLeaked));
        Assert.Equal((long)ViewKind.Strided, leaked.Long("ViewKind"));
        Assert.Equal(line, Sites.Of(leaked.Long("SiteId")).Line);
    }

    [Fact]
    public void A_copy_never_disposed_is_reported_as_a_leaked_view_and_a_finalized_owner()
    {
        using var events = new OwnerEventRecorder();
        using NativeBuffer<int> buffer = Iota(4);
        long viewId = LeakCopy(buffer);

        Finalization.CollectUntil(
            () => events.Where("ViewId", viewId, WireSchema.EventIds.ViewLeaked).Count == 1,
            "the leaked copy's ViewLeaked");
        long ownerId = events.Where("ViewId", viewId, WireSchema.EventIds.ViewLeaked).Single().Long("OwnerId");
        Finalization.CollectUntil(
            () => events.Where("OwnerId", ownerId, WireSchema.EventIds.OwnerFinalized).Count == 1,
            "the leaked copy's storage being finalized");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (long ViewId, int Line) LeakStridedView(NativeBuffer<int> buffer)
    {
        int line = Sites.Line(); StridedView<int> view = buffer.AcquireStridedView([2, 2]);
        return (view.ViewId, line);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long LeakCopy(NativeBuffer<int> buffer)
    {
        using StridedView<int> view = buffer.AcquireStridedView([2, 2]);
        using StridedView<int> transposed = view.Transpose();
        StridedView<int> copy = transposed.Copy();
        return copy.ViewId;
    }
}
