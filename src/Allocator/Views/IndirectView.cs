using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator;

/// <summary>
/// A multi-dimensional view over indirect storage: a table of pointers to sub-blocks, each a <see cref="NativeBuffer{T}"/>
/// (a C <c>T**</c>, PEP 3118 <c>suboffsets</c>, <c>cython.view.indirect</c>). Dimensions up to and including
/// <see cref="IndirectDimension"/> step through the table; that dimension follows the pointer; the dimensions after it
/// step through the elements of the sub-block reached. One level of indirection is supported.
/// </summary>
/// <remarks>
/// <para>LeakScope builds the pointer table itself from the sub-blocks given, so no address is ever taken from the
/// caller: every element of an accepted view lies inside the sub-block it reaches (the layout arithmetic is checked and
/// validated against every reached sub-block's length).</para>
/// <para>The view counts as a view of <b>every sub-block it reaches</b>: each of them refuses to resize
/// (<see cref="BufferBusyException"/>, the outstanding view's kind <see cref="BufferViewKind.Indirect"/>) until the view
/// is disposed, and its acquire, release or leak is published on each of them like any view's (as a strided view).
/// A view derived by <see cref="Slice"/> holds only the sub-blocks it still reaches.</para>
/// </remarks>
public sealed unsafe class IndirectView<T> : IDisposable
    where T : unmanaged
{
    private readonly NativeBuffer<T>[] _table;
    private readonly nint[] _pointers;
    private readonly Holding[] _held;
    private readonly int[] _shape;
    private readonly long[] _strides;
    private readonly long _tableOffset;
    private readonly long _offset;
    private readonly int _indirect;
    private int _released;

    private IndirectView(NativeBuffer<T>[] table, nint[] pointers, Holding[] held, int[] shape, long[] strides, int indirect, long tableOffset, long offset)
    {
        _table = table;
        _pointers = pointers;
        _held = held;
        _shape = shape;
        _strides = strides;
        _indirect = indirect;
        _tableOffset = tableOffset;
        _offset = offset;
    }

    /// <summary>Releases a view that was never disposed and reports it as a leaked view (<c>view-leak</c>).</summary>
    ~IndirectView()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Release(_held, leaked: true);
        }
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The length of each dimension.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>
    /// Each dimension's stride: in table entries (pointers) for the dimensions up to <see cref="IndirectDimension"/>, in
    /// elements of the sub-block after it.
    /// </summary>
    public ReadOnlySpan<long> Strides => _strides;

    /// <summary>The dimension whose index selects the sub-block (the one with a PEP 3118 suboffset).</summary>
    public int IndirectDimension => _indirect;

    /// <summary>The table entry of index (0, 0, …).</summary>
    public long TableOffset => _tableOffset;

    /// <summary>The element offset, inside each sub-block, of the element at index 0 of every dimension after <see cref="IndirectDimension"/> (the suboffset).</summary>
    public long Offset => _offset;

    /// <summary>The number of elements (the product of the shape).</summary>
    public long FlattenedLength => StridedLayout.ElementCount(_shape);

    /// <summary>The size of one element in bytes (<c>itemsize</c>).</summary>
    public int ItemSize => sizeof(T);

    /// <summary>The bytes the elements would take in a contiguous copy: <see cref="FlattenedLength"/> × <see cref="ItemSize"/> (<c>nbytes</c>).</summary>
    public long NBytes => FlattenedLength * sizeof(T);

    /// <summary>Always false: an indirect view reads and writes its sub-blocks.</summary>
    public bool IsReadOnly => false;

    /// <summary>The sub-blocks this view reaches (and holds as a view), each once, in table order.</summary>
    public IReadOnlyList<NativeBuffer<T>> SubBlocks => Array.ConvertAll(_held, h => h.Buffer);

    /// <summary>True once the view has been disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _released) != 0;

    /// <summary>The element at (<paramref name="i"/>, <paramref name="j"/>) of a two-dimensional view.</summary>
    public ref T this[int i, int j] => ref this[[i, j]];

    /// <summary>The element at <paramref name="indices"/>, one index per dimension.</summary>
    public ref T this[params ReadOnlySpan<int> indices]
    {
        get
        {
            ThrowIfReleased();
            if (indices.Length != _shape.Length)
            {
                throw new ArgumentException($"The view has {_shape.Length} dimensions; {indices.Length} indices were given.", nameof(indices));
            }

            long entry = _tableOffset;
            long element = _offset;
            for (int d = 0; d < indices.Length; d++)
            {
                if ((uint)indices[d] >= (uint)_shape[d])
                {
                    throw new IndexOutOfRangeException($"Index {indices[d]} is outside dimension {d} of length {_shape[d]}.");
                }

                if (d <= _indirect)
                {
                    entry += indices[d] * _strides[d];
                }
                else
                {
                    element += indices[d] * _strides[d];
                }
            }

            return ref ((T*)_pointers[entry])[element];
        }
    }

    /// <summary>
    /// Acquires an indirect view over <paramref name="subBlocks"/> declared with <c>cython.view</c>-style
    /// <paramref name="layouts"/>: exactly one dimension is <see cref="DimensionLayout.Indirect"/> or
    /// <see cref="DimensionLayout.IndirectContiguous"/>; the dimensions up to it index the pointer table (C order, one entry per
    /// sub-block), the ones after it index each sub-block (C order). With no layouts, dimension 0 is indirect: a jagged
    /// <c>T**</c> of <c>shape[0]</c> rows.
    /// </summary>
    /// <exception cref="ArgumentException">The layouts break Cython's contiguity rule, do not match, the table does not have one
    /// entry per sub-block, or a sub-block is too short.</exception>
    /// <exception cref="NotSupportedException">More than one dimension is indirect.</exception>
    public static IndirectView<T> Acquire(IReadOnlyList<NativeBuffer<T>> subBlocks, ReadOnlySpan<int> shape, ReadOnlySpan<DimensionLayout> layouts = default,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentNullException.ThrowIfNull(subBlocks);
        if (!layouts.IsEmpty && layouts.Length != shape.Length)
        {
            throw new ArgumentException($"{layouts.Length} layouts given for {shape.Length} dimensions.", nameof(layouts));
        }

        CheckLayouts(layouts);
        int indirect = layouts.IsEmpty ? 0 : IndirectDimensionOf(layouts);
        if (shape.Length == 0)
        {
            throw new ArgumentException("An indirect view has at least one dimension.", nameof(shape));
        }

        long[] strides = new long[shape.Length];
        long[] table = StridedLayout.ContiguousStrides(shape[..(indirect + 1)], MemoryOrder.C);
        long[] inner = StridedLayout.ContiguousStrides(shape[(indirect + 1)..], MemoryOrder.C);
        table.CopyTo(strides, 0);
        inner.CopyTo(strides, indirect + 1);
        if (StridedLayout.ElementCount(shape[..(indirect + 1)]) != subBlocks.Count)
        {
            throw new ArgumentException(
                $"The dimensions up to the indirect one ({string.Join(", ", shape[..(indirect + 1)].ToArray())}) need one sub-block per table entry; {subBlocks.Count} were given.",
                nameof(subBlocks));
        }

        IndirectView<T> view = Acquire(subBlocks, shape, strides, indirect, 0, 0, file, line, member);
        if (!layouts.IsEmpty && !view.Matches(layouts))
        {
            string actual = string.Join(", ", Enumerable.Range(0, view.Rank).Select(view.LayoutOf));
            view.Dispose();
            throw new ArgumentException($"The view's layouts ({actual}) do not match the declared ({string.Join(", ", layouts.ToArray())}).", nameof(layouts));
        }

        return view;
    }

    /// <summary>
    /// Acquires an indirect view with explicit <paramref name="strides"/>: in table entries for the dimensions up to
    /// <paramref name="indirectDimension"/> (starting at entry <paramref name="tableOffset"/> of <paramref name="subBlocks"/>),
    /// in elements after it (starting at element <paramref name="offset"/> of each sub-block). Strides may be negative or zero.
    /// Every table entry and every element the view reaches must exist; nothing is acquired otherwise.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The indirect dimension is outside the shape, a dimension is negative, or the layout's arithmetic overflows.</exception>
    /// <exception cref="ArgumentException">A table entry or an element the view reaches does not exist, or a sub-block is null.</exception>
    public static IndirectView<T> Acquire(IReadOnlyList<NativeBuffer<T>> subBlocks, ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, int indirectDimension,
        long tableOffset = 0, long offset = 0,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentNullException.ThrowIfNull(subBlocks);
        if (shape.Length != strides.Length)
        {
            throw new ArgumentException($"The shape has {shape.Length} dimensions but {strides.Length} strides were given.", nameof(strides));
        }

        if ((uint)indirectDimension >= (uint)shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(indirectDimension), indirectDimension, $"The view has {shape.Length} dimensions.");
        }

        var table = new NativeBuffer<T>[subBlocks.Count];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = subBlocks[i] ?? throw new ArgumentException($"Sub-block {i} is null.", nameof(subBlocks));
        }

        return Create(table, shape.ToArray(), strides.ToArray(), indirectDimension, tableOffset, offset, file, line, member);
    }

    /// <summary>
    /// Checks <paramref name="layouts"/> against Cython's rule: a dimension may be <see cref="DimensionLayout.Contiguous"/> or
    /// <see cref="DimensionLayout.IndirectContiguous"/> only if it is the first, the last, or follows an indirect dimension.
    /// </summary>
    /// <exception cref="ArgumentException">The rule is broken; the message names the dimension.</exception>
    public static void CheckLayouts(ReadOnlySpan<DimensionLayout> layouts)
    {
        for (int d = 0; d < layouts.Length; d++)
        {
            if (!Enum.IsDefined(layouts[d]))
            {
                throw new ArgumentOutOfRangeException(nameof(layouts), layouts[d], $"Dimension {d}: not a dimension layout.");
            }

            bool contiguous = layouts[d] is DimensionLayout.Contiguous or DimensionLayout.IndirectContiguous;
            bool allowed = d == 0 || d == layouts.Length - 1 || IsIndirect(layouts[d - 1]);
            if (contiguous && !allowed)
            {
                throw new ArgumentException(
                    $"Dimension {d} is declared {layouts[d]}: only the first, the last, or the dimension after an indirect one may be contiguous.",
                    nameof(layouts));
            }
        }
    }

    /// <summary>
    /// How dimension <paramref name="dimension"/> is laid out: <see cref="DimensionLayout.IndirectContiguous"/> or
    /// <see cref="DimensionLayout.Indirect"/> for the indirect dimension (its pointers adjacent or not), else
    /// <see cref="DimensionLayout.Contiguous"/> (a stride of 1, or a length of at most 1) or <see cref="DimensionLayout.Strided"/>.
    /// </summary>
    public DimensionLayout LayoutOf(int dimension)
    {
        if ((uint)dimension >= (uint)_shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"The view has {_shape.Length} dimensions.");
        }

        bool adjacent = _strides[dimension] == 1 || _shape[dimension] <= 1;
        if (dimension == _indirect)
        {
            return adjacent ? DimensionLayout.IndirectContiguous : DimensionLayout.Indirect;
        }

        return adjacent ? DimensionLayout.Contiguous : DimensionLayout.Strided;
    }

    /// <summary>Whether every dimension satisfies the declared <paramref name="layouts"/> (Generic matches any; Strided any direct; Indirect any indirect).</summary>
    public bool Matches(ReadOnlySpan<DimensionLayout> layouts)
    {
        if (layouts.Length != _shape.Length)
        {
            return false;
        }

        for (int d = 0; d < layouts.Length; d++)
        {
            DimensionLayout actual = LayoutOf(d);
            bool ok = layouts[d] switch
            {
                DimensionLayout.Generic => true,
                DimensionLayout.Strided => !IsIndirect(actual),
                DimensionLayout.Contiguous => actual == DimensionLayout.Contiguous,
                DimensionLayout.Indirect => IsIndirect(actual),
                DimensionLayout.IndirectContiguous => actual == DimensionLayout.IndirectContiguous,
                _ => throw new ArgumentOutOfRangeException(nameof(layouts), layouts[d], $"Dimension {d}: not a dimension layout."),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A view of <paramref name="dimension"/> restricted to <c>start:stop:step</c> (Python semantics, see <see cref="SliceRange"/>).
    /// Slicing a table dimension narrows which sub-blocks the new view reaches (and holds).
    /// </summary>
    public IndirectView<T> Slice(int dimension, int? start = null, int? stop = null, int step = 1,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ThrowIfReleased();
        if ((uint)dimension >= (uint)_shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"The view has {_shape.Length} dimensions.");
        }

        int[] shape = (int[])_shape.Clone();
        long[] strides = (long[])_strides.Clone();
        var range = new SliceRange(start, stop, step);
        (int first, int count) = range.Resolve(shape[dimension]);
        long delta = count > 0 ? StridedLayout.Multiply(first, strides[dimension], nameof(start)) : 0;
        shape[dimension] = count;
        strides[dimension] = StridedLayout.Multiply(strides[dimension], step == 0 ? 1 : step, nameof(step));
        long tableOffset = dimension <= _indirect ? StridedLayout.Add(_tableOffset, delta, nameof(start)) : _tableOffset;
        long offset = dimension > _indirect ? StridedLayout.Add(_offset, delta, nameof(start)) : _offset;
        return Create(_table, shape, strides, _indirect, tableOffset, offset, file, line, member);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(T value)
    {
        ThrowIfReleased();
        ForEach((ref T item) => item = value);
    }

    /// <summary>The elements in C order, in a new managed array.</summary>
    public T[] ToArray()
    {
        ThrowIfReleased();
        var result = new T[FlattenedLength];
        int next = 0;
        ForEach((ref T item) => result[next++] = item);
        return result;
    }

    /// <summary>Releases the view on every sub-block it holds. Later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Release(_held, leaked: false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The view's shape, strides, indirect dimension and how many sub-blocks it holds.</summary>
    public override string ToString() =>
        $"IndirectView<{typeof(T).Name}>({string.Join(", ", _shape)}) strides ({string.Join(", ", _strides)}), indirect dimension {_indirect}, {_held.Length} sub-blocks";

    private static IndirectView<T> Create(NativeBuffer<T>[] table, int[] shape, long[] strides, int indirect, long tableOffset, long offset, string file, int line, string member)
    {
        ReadOnlySpan<int> tableShape = shape.AsSpan(0, indirect + 1);
        ReadOnlySpan<long> tableStrides = strides.AsSpan(0, indirect + 1);
        ReadOnlySpan<int> innerShape = shape.AsSpan(indirect + 1);
        ReadOnlySpan<long> innerStrides = strides.AsSpan(indirect + 1);

        long count = StridedLayout.ElementCount(shape);
        StridedLayout.Validate(tableShape, tableStrides, tableOffset, table.Length);
        _ = StridedLayout.Extent(innerShape, innerStrides, offset);

        var pointers = new nint[table.Length];
        var held = new List<Holding>();
        if (count > 0)
        {
            int siteId = ThreadHeap.Current.Sites.Lookup(file, line, member);
            try
            {
                foreach (long entry in ReachedEntries(tableShape, tableStrides, tableOffset))
                {
                    NativeBuffer<T> buffer = table[entry];
                    int already = held.FindIndex(h => ReferenceEquals(h.Buffer, buffer));
                    if (already >= 0)
                    {
                        pointers[entry] = held[already].Pointer;
                        continue;
                    }

                    T* storage = buffer.AcquireSlot(BufferViewKind.Indirect, siteId, out int length, out long viewId);
                    held.Add(new Holding(buffer, (nint)storage, viewId, siteId));
                    StridedLayout.Validate(innerShape, innerStrides, offset, length);
                    pointers[entry] = (nint)storage;
                }
            }
            catch
            {
                Release(held.ToArray(), leaked: false);
                throw;
            }
        }

        return new IndirectView<T>(table, pointers, held.ToArray(), shape, strides, indirect, tableOffset, offset);
    }

    /// <summary>Every table entry the table dimensions reach (dimensions of stride 0 or length 1 contribute only their first index).</summary>
    private static List<long> ReachedEntries(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, long offset)
    {
        var entries = new List<long> { offset };
        for (int d = 0; d < shape.Length; d++)
        {
            if (strides[d] == 0 || shape[d] <= 1)
            {
                continue;
            }

            var next = new List<long>(entries.Count * shape[d]);
            foreach (long start in entries)
            {
                for (int i = 0; i < shape[d]; i++)
                {
                    next.Add(start + (i * strides[d]));
                }
            }

            entries = next.Distinct().ToList();
        }

        return entries;
    }

    private static void Release(Holding[] held, bool leaked)
    {
        foreach (Holding h in held)
        {
            h.Buffer.ReleaseSlot(h.ViewId, h.SiteId, BufferViewKind.Indirect, leaked);
        }
    }

    private delegate void ItemAction(ref T item);

    /// <summary>Visits every element in C order.</summary>
    private void ForEach(ItemAction action)
    {
        if (FlattenedLength == 0)
        {
            return;
        }

        int[] indices = new int[_shape.Length];
        while (true)
        {
            action(ref this[indices]);
            int d = _shape.Length - 1;
            while (d >= 0 && ++indices[d] == _shape[d])
            {
                indices[d] = 0;
                d--;
            }

            if (d < 0)
            {
                return;
            }
        }
    }

    private static bool IsIndirect(DimensionLayout layout) => layout is DimensionLayout.Indirect or DimensionLayout.IndirectContiguous;

    private static int IndirectDimensionOf(ReadOnlySpan<DimensionLayout> layouts)
    {
        int found = -1;
        for (int d = 0; d < layouts.Length; d++)
        {
            if (IsIndirect(layouts[d]))
            {
                if (found >= 0)
                {
                    throw new NotSupportedException($"Dimensions {found} and {d} are both indirect: one level of indirection is supported.");
                }

                found = d;
            }
        }

        if (found < 0)
        {
            throw new ArgumentException("No dimension is declared Indirect or IndirectContiguous: use NativeBuffer<T>.AcquireStridedView for direct storage.", nameof(layouts));
        }

        return found;
    }

    private void ThrowIfReleased()
    {
        if (Volatile.Read(ref _released) != 0)
        {
            ThrowReleased();
        }
    }

    [DoesNotReturn]
    private static void ThrowReleased() => throw new ObjectDisposedException(nameof(IndirectView<T>), "The view has been released.");

    /// <summary>One sub-block this view holds a view slot of.</summary>
    private readonly record struct Holding(NativeBuffer<T> Buffer, nint Pointer, long ViewId, int SiteId);
}
