using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;
using Ids = LeakScope.Wire.WireSchema.EventIds;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// Views over indirect storage (a pointer table of sub-blocks, PEP 3118 suboffsets, <c>cython.view.indirect</c>):
/// indexing, layouts, Cython's contiguity rule, and that the view is a view of every sub-block it reaches.
/// </summary>
[Collection(OwnedMemoryCollection.Name)]
public sealed class IndirectViewTests : IDisposable
{
    private readonly List<NativeBuffer<int>> _rows = new();

    /// <summary><paramref name="count"/> rows of <paramref name="length"/> elements; row r holds 100·r, 100·r + 1, ….</summary>
    private List<NativeBuffer<int>> Rows(int count, int length)
    {
        var rows = new List<NativeBuffer<int>>();
        for (int r = 0; r < count; r++)
        {
            var row = new NativeBuffer<int>(length);
            Span<int> span = row.GetSpan();
            for (int i = 0; i < length; i++)
            {
                span[i] = (100 * r) + i;
            }

            rows.Add(row);
        }

        _rows.AddRange(rows);
        return rows;
    }

    public void Dispose()
    {
        foreach (NativeBuffer<int> row in _rows)
        {
            row.Dispose();
        }
    }

    [Fact]
    public void A_jagged_pointer_table_reads_and_writes_every_row()
    {
        List<NativeBuffer<int>> rows = Rows(3, 4);
        using IndirectView<int> v = IndirectView<int>.Acquire(rows, [3, 4], [DimensionLayout.Indirect, DimensionLayout.Contiguous]);

        Assert.Equal(2, v.Rank);
        Assert.Equal(0, v.IndirectDimension);
        Assert.Equal(sizeof(int), v.ItemSize);
        Assert.Equal(48, v.NBytes);
        Assert.False(v.IsReadOnly);
        Assert.Equal([DimensionLayout.IndirectContiguous, DimensionLayout.Contiguous], Enumerable.Range(0, 2).Select(v.LayoutOf));
        Assert.Equal(rows, v.SubBlocks);
        Assert.Equal(203, v[2, 3]);
        Assert.Equal([0, 1, 2, 3, 100, 101, 102, 103, 200, 201, 202, 203], v.ToArray());

        v[1, 2] = -1;
        Assert.Equal(-1, rows[1].GetSpan()[2]);
        Assert.Throws<IndexOutOfRangeException>(() => v[3, 0]);
        Assert.Throws<IndexOutOfRangeException>(() => v[0, 4]);
        Assert.Throws<ArgumentException>(() => v[[0]]);
    }

    [Fact]
    public void Rows_may_be_longer_than_the_view_and_a_short_one_is_refused_with_nothing_held()
    {
        List<NativeBuffer<int>> rows = Rows(3, 6);
        using (IndirectView<int> v = IndirectView<int>.Acquire(rows, [3, 4]))
        {
            Assert.Equal(0, v.IndirectDimension);
            Assert.Equal(103, v[1, 3]);
        }

        rows[1].Resize(3);
        Assert.Throws<ArgumentException>(() => IndirectView<int>.Acquire(rows, [3, 4]));
        Assert.All(rows, r => Assert.Equal(0, r.ViewCount));
        Assert.Throws<ArgumentException>(() => IndirectView<int>.Acquire(rows, [2, 3]));
    }

    [Fact]
    public void Two_table_dimensions_before_the_indirect_one_index_a_grid_of_rows()
    {
        List<NativeBuffer<int>> rows = Rows(6, 2);
        using IndirectView<int> v = IndirectView<int>.Acquire(rows, [2, 3, 2], [DimensionLayout.Strided, DimensionLayout.Indirect, DimensionLayout.Contiguous]);
        Assert.Equal(1, v.IndirectDimension);
        Assert.Equal([3L, 1, 1], v.Strides.ToArray());
        Assert.Equal(501, v[1, 2, 1]);
        Assert.Equal(300, v[[1, 0, 0]]);
    }

    [Fact]
    public void Slicing_narrows_the_rows_a_view_holds()
    {
        List<NativeBuffer<int>> rows = Rows(4, 3);
        using IndirectView<int> all = IndirectView<int>.Acquire(rows, [4, 3]);
        using IndirectView<int> odd = all.Slice(0, 1, null, 2);
        using IndirectView<int> reversed = all.Slice(1, step: -1);

        Assert.Equal([100, 101, 102, 300, 301, 302], odd.ToArray());
        Assert.Equal(DimensionLayout.Indirect, odd.LayoutOf(0));
        Assert.Equal([rows[1], rows[3]], odd.SubBlocks);
        Assert.Equal([2, 1, 0, 102, 101, 100, 202, 201, 200, 302, 301, 300], reversed.ToArray());
        Assert.Equal(DimensionLayout.Strided, reversed.LayoutOf(1));
        Assert.Equal([2, 3, 2, 3], rows.Select(r => r.ViewCount));

        all.Dispose();
        reversed.Dispose();
        rows[0].Resize(5);
        rows[2].Resize(5);
        Assert.Throws<BufferBusyException>(() => rows[1].Resize(5));
        Assert.Throws<BufferBusyException>(() => rows[3].Append([1]));
    }

    [Fact]
    public void Resizing_any_row_of_a_viewed_table_is_refused_and_names_the_indirect_view()
    {
        using var events = new OwnerEventRecorder();
        List<NativeBuffer<int>> rows = Rows(3, 2);
        int line = Sites.Line(); IndirectView<int> v = IndirectView<int>.Acquire([rows[0], rows[1], rows[0]], [3, 2]);
        Assert.Equal([rows[0], rows[1]], v.SubBlocks);
        Assert.Equal([1, 1, 0], rows.Select(r => r.ViewCount));

        foreach (NativeBuffer<int> row in rows.Take(2))
        {
            BufferBusyException busy = Assert.Throws<BufferBusyException>(() => row.Resize(10));
            OutstandingView outstanding = Assert.Single(busy.OutstandingViews);
            Assert.Equal(BufferViewKind.Indirect, outstanding.Kind);
            Assert.Equal(line, outstanding.Line);
            Assert.Contains($"indirect view #", busy.Message);

            RecordedEvent blocked = events.Where("OwnerId", row.OwnerId, Ids.ResizeBlocked).Last();
            Assert.Equal(10, blocked.Long("RequestedLength"));
        }

        rows[2].Resize(10);
        v.Dispose();
        rows[0].Resize(10);
        rows[1].Resize(10);

        // Each held row published its own acquire and release, as a strided view, at the acquiring site.
        foreach (NativeBuffer<int> row in rows.Take(2))
        {
            IReadOnlyList<RecordedEvent> published = events.Where("OwnerId", row.OwnerId, Ids.ViewAcquired, Ids.ViewReleased);
            Assert.Equal(["ViewAcquired", "ViewReleased"], published.Select(e => e.Name));
            Assert.All(published, e => Assert.Equal((long)ViewKind.Strided, e.Long("ViewKind")));
            Assert.Equal(line, Sites.Of(published[0].Long("SiteId")).Line);
        }
    }

    [Fact]
    public void An_indirect_view_never_disposed_is_reported_as_leaked_on_every_row_it_held()
    {
        using var events = new OwnerEventRecorder();
        List<NativeBuffer<int>> rows = Rows(2, 2);
        int line = Leak(rows);

        Finalization.CollectUntil(() => rows.All(r => r.ViewCount == 0), "the leaked indirect view's release");
        foreach (NativeBuffer<int> row in rows)
        {
            RecordedEvent leaked = Assert.Single(events.Where("OwnerId", row.OwnerId, Ids.ViewLeaked));
            Assert.Equal(line, Sites.Of(leaked.Long("SiteId")).Line);
        }
    }

    [Theory]
    [InlineData(new[] { DimensionLayout.Strided, DimensionLayout.Contiguous, DimensionLayout.Indirect })]
    [InlineData(new[] { DimensionLayout.Indirect, DimensionLayout.Strided, DimensionLayout.Contiguous, DimensionLayout.Strided, DimensionLayout.Generic })]
    [InlineData(new[] { DimensionLayout.Strided, DimensionLayout.IndirectContiguous, DimensionLayout.Strided })]
    public void Only_the_first_the_last_or_the_dimension_after_an_indirect_one_may_be_contiguous(DimensionLayout[] layouts)
    {
        ArgumentException refused = Assert.Throws<ArgumentException>(() => IndirectView<int>.CheckLayouts(layouts));
        Assert.Contains("only the first, the last, or the dimension after an indirect one may be contiguous", refused.Message);
    }

    [Theory]
    [InlineData(new[] { DimensionLayout.Contiguous, DimensionLayout.Strided, DimensionLayout.Contiguous })]
    [InlineData(new[] { DimensionLayout.Indirect, DimensionLayout.Contiguous, DimensionLayout.Strided })]
    [InlineData(new[] { DimensionLayout.Indirect, DimensionLayout.IndirectContiguous, DimensionLayout.Contiguous })]
    public void Contiguity_the_rule_allows_is_accepted(DimensionLayout[] layouts) => IndirectView<int>.CheckLayouts(layouts);

    [Fact]
    public void Declared_layouts_must_match_and_name_exactly_one_indirect_dimension()
    {
        List<NativeBuffer<int>> rows = Rows(2, 3);
        Assert.Throws<ArgumentException>(() => IndirectView<int>.Acquire(rows, [2, 3], [DimensionLayout.Strided, DimensionLayout.Contiguous]));
        Assert.Throws<NotSupportedException>(() => IndirectView<int>.Acquire(rows, [2, 3], [DimensionLayout.Indirect, DimensionLayout.Indirect]));
        Assert.Throws<ArgumentException>(() => IndirectView<int>.Acquire(rows, [2, 3], [DimensionLayout.Indirect]));

        // The table is contiguous, so declaring it Indirect (strided pointers) is satisfied, and Generic matches anything.
        using (IndirectView<int> v = IndirectView<int>.Acquire(rows, [2, 3], [DimensionLayout.Indirect, DimensionLayout.Generic]))
        {
            Assert.True(v.Matches([DimensionLayout.IndirectContiguous, DimensionLayout.Contiguous]));
            Assert.False(v.Matches([DimensionLayout.Strided, DimensionLayout.Contiguous]));
            using IndirectView<int> everyOther = v.Slice(1, step: 2);
            Assert.False(everyOther.Matches([DimensionLayout.Indirect, DimensionLayout.Contiguous]));
            Assert.True(everyOther.Matches([DimensionLayout.Indirect, DimensionLayout.Strided]));
        }

        Assert.All(rows, r => Assert.Equal(0, r.ViewCount));
    }

    [Fact]
    public void Explicit_strides_are_checked_against_the_table_and_every_row_with_checked_arithmetic()
    {
        List<NativeBuffer<int>> rows = Rows(3, 4);
        using (IndirectView<int> v = IndirectView<int>.Acquire(rows, [3, 2], [-1, 2], indirectDimension: 0, tableOffset: 2, offset: 1))
        {
            Assert.Equal([201, 203, 101, 103, 1, 3], v.ToArray());
        }

        Assert.Throws<ArgumentException>(() => IndirectView<int>.Acquire(rows, [3, 2], [1, 2], 0, tableOffset: 1));
        Assert.Throws<ArgumentException>(() => IndirectView<int>.Acquire(rows, [3, 2], [1, 3], 0, offset: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndirectView<int>.Acquire(rows, [3, 5], [1, 1L << 62], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndirectView<int>.Acquire(rows, [3, 2], [1L << 62, 1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => IndirectView<int>.Acquire(rows, [3, 2], [1, 1], 2));
        Assert.All(rows, r => Assert.Equal(0, r.ViewCount));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Leak(List<NativeBuffer<int>> rows)
    {
        int line = Sites.Line(); IndirectView<int> view = IndirectView<int>.Acquire(rows, [2, 2]);
        return line;
    }
}
