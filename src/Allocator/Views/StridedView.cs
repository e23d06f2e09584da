using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace LeakScope.Allocator;

/// <summary>
/// A multi-dimensional view of a <see cref="NativeBuffer{T}"/>'s elements through a shape and strides (Cython's typed
/// memoryviews, numpy's ndarray views): C- or Fortran-contiguous layouts, slicing with start / stop / step per
/// dimension (<see cref="Slice(int, int?, int?, int, string, int, string)"/>), selecting an index
/// (<see cref="Select"/>), adding a dimension (<see cref="Unsqueeze"/>), <see cref="Transpose"/>, copies into new
/// storage (<see cref="Copy"/>, <see cref="CopyFortran"/>) and copies between views (<see cref="CopyTo"/>).
/// </summary>
/// <remarks>
/// <para>Every strided view — the one acquired from the buffer and every view derived from it — is a view of the buffer
/// in its own right: it holds the buffer's view count (so the buffer refuses to resize) until it is disposed, its
/// acquire and release are published with the site that created it, and one that is never disposed is published as
/// a leaked view by its finalizer. Strides and offsets are counted in elements and may be negative or zero.</para>
/// <para>A view returned by <see cref="Copy"/> or <see cref="CopyFortran"/> owns its storage: disposing it disposes that
/// storage too.</para>
/// <para>A read-only view (<see cref="AsReadOnly"/>, <see cref="IsReadOnly"/>: the buffer protocol's <c>readonly</c>
/// flag) and every view derived from it refuse to write: read its elements with <see cref="ItemRef"/>,
/// <see cref="AsReadOnlySpan"/>, <see cref="ToArray"/> or <see cref="CopyTo"/>.</para>
/// <para>Every layout is checked when the view is made, with checked arithmetic: a shape, strides or offset whose
/// reach overflows or leaves the buffer is refused, so every element of an accepted view lies inside its buffer.</para>
/// </remarks>
public sealed unsafe class StridedView<T> : IDisposable
    where T : unmanaged
{
    private readonly NativeBuffer<T> _buffer;
    private readonly NativeBuffer<T>? _owned;
    private readonly int[] _shape;
    private readonly long[] _strides;
    private readonly int _siteId;
    private T* _origin;
    private int _released;

    private StridedView(NativeBuffer<T> buffer, NativeBuffer<T>? owned, T* origin, int[] shape, long[] strides, long offset, long viewId, int siteId, bool readOnly)
    {
        IsReadOnly = readOnly;
        _buffer = buffer;
        _owned = owned;
        _origin = origin;
        _shape = shape;
        _strides = strides;
        Offset = offset;
        ViewId = viewId;
        _siteId = siteId;
    }

    /// <summary>Releases a view that was never disposed and reports it as a leaked view (<c>view-leak</c>).</summary>
    ~StridedView()
    {
        // An owned copy's storage is unreachable too: its own finalizer reclaims it and reports it.
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _origin = null;
            _buffer.ReleaseSlot(ViewId, _siteId, BufferViewKind.Strided, leaked: true);
        }
    }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The length of each dimension.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The distance, in elements, between neighbours along each dimension.</summary>
    public ReadOnlySpan<long> Strides => _strides;

    /// <summary>The element offset, from the start of the buffer, of the element at index (0, 0, …).</summary>
    public long Offset { get; }

    /// <summary>The number of elements (the product of the shape).</summary>
    public long FlattenedLength => StridedLayout.ElementCount(_shape);

    /// <summary>Whether the elements are contiguous in C (row-major) order.</summary>
    public bool IsCContiguous => StridedLayout.IsContiguous(_shape, _strides, MemoryOrder.C);

    /// <summary>Whether the elements are contiguous in Fortran (column-major) order.</summary>
    public bool IsFortranContiguous => StridedLayout.IsContiguous(_shape, _strides, MemoryOrder.Fortran);

    /// <summary>True once the view has been disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _released) != 0;

    /// <summary>The size of one element in bytes (the buffer protocol's <c>itemsize</c>).</summary>
    public int ItemSize => sizeof(T);

    /// <summary>The bytes the elements would take in a contiguous copy: <see cref="FlattenedLength"/> × <see cref="ItemSize"/> (<c>nbytes</c>).</summary>
    public long NBytes => FlattenedLength * sizeof(T);

    /// <summary>The buffer whose storage this view exports (the buffer protocol's <c>obj</c>, a memoryview's <c>base</c>); for a copy, its own storage.</summary>
    public NativeBuffer<T> Base => _buffer;

    /// <summary>Whether the view refuses writes (the buffer protocol's <c>readonly</c>): true for <see cref="AsReadOnly"/> and every view derived from one.</summary>
    public bool IsReadOnly { get; }

    /// <summary>The view id its events carry.</summary>
    internal long ViewId { get; }

    /// <summary>
    /// How dimension <paramref name="dimension"/> is laid out, in <c>cython.view</c>'s terms: <see cref="DimensionLayout.Contiguous"/>
    /// when its neighbours are adjacent (stride 1, or a length of at most 1), else <see cref="DimensionLayout.Strided"/>.
    /// A strided view is always direct; indirect layouts are <see cref="IndirectView{T}"/>'s.
    /// </summary>
    public DimensionLayout LayoutOf(int dimension)
    {
        RequireDimension(dimension);
        return _strides[dimension] == 1 || _shape[dimension] <= 1 ? DimensionLayout.Contiguous : DimensionLayout.Strided;
    }

    /// <summary>The element at <paramref name="indices"/>, one index per dimension, as a read-only reference (works on read-only views too).</summary>
    public ref readonly T ItemRef(params ReadOnlySpan<int> indices)
    {
        T* origin = Origin;
        RequireRank(indices.Length);
        long offset = 0;
        for (int d = 0; d < indices.Length; d++)
        {
            offset += Step(d, indices[d]);
        }

        return ref origin[offset];
    }

    /// <summary>The element at <paramref name="i"/> of a one-dimensional view.</summary>
    /// <exception cref="InvalidOperationException">The view is read-only: use <see cref="ItemRef"/>.</exception>
    public ref T this[int i]
    {
        get
        {
            T* origin = WritableOrigin;
            RequireRank(1);
            return ref origin[Step(0, i)];
        }
    }

    /// <summary>The element at (<paramref name="i"/>, <paramref name="j"/>) of a two-dimensional view.</summary>
    public ref T this[int i, int j]
    {
        get
        {
            T* origin = WritableOrigin;
            RequireRank(2);
            return ref origin[Step(0, i) + Step(1, j)];
        }
    }

    /// <summary>The element at (<paramref name="i"/>, <paramref name="j"/>, <paramref name="k"/>) of a three-dimensional view.</summary>
    public ref T this[int i, int j, int k]
    {
        get
        {
            T* origin = WritableOrigin;
            RequireRank(3);
            return ref origin[Step(0, i) + Step(1, j) + Step(2, k)];
        }
    }

    /// <summary>The element at <paramref name="indices"/>, one index per dimension.</summary>
    public ref T this[params ReadOnlySpan<int> indices]
    {
        get
        {
            T* origin = WritableOrigin;
            RequireRank(indices.Length);
            long offset = 0;
            for (int d = 0; d < indices.Length; d++)
            {
                offset += Step(d, indices[d]);
            }

            return ref origin[offset];
        }
    }

    /// <summary>
    /// A view of <paramref name="dimension"/> restricted to <c>start:stop:step</c> (Python semantics, see
    /// <see cref="SliceRange"/>); the other dimensions are unchanged.
    /// </summary>
    public StridedView<T> Slice(int dimension, int? start = null, int? stop = null, int step = 1,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        RequireDimension(dimension);
        int[] shape = (int[])_shape.Clone();
        long[] strides = (long[])_strides.Clone();
        long offset = Offset + Narrow(shape, strides, dimension, new SliceRange(start, stop, step));
        return Derive(shape, strides, offset, file, line, member);
    }

    /// <summary>A read-only view of the same elements (the buffer protocol's <c>readonly</c> flag); views derived from it are read-only too.</summary>
    public StridedView<T> AsReadOnly([CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        _ = Origin;
        return Acquire(_buffer, (int[])_shape.Clone(), (long[])_strides.Clone(), Offset, owned: null, readOnly: true, file, line, member);
    }

    /// <summary>A view sliced in each leading dimension by the matching entry of <paramref name="ranges"/> (numpy's <c>v[a:b, ::2]</c>).</summary>
    public StridedView<T> Slice(ReadOnlySpan<SliceRange> ranges,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        if (ranges.Length > Rank)
        {
            throw new ArgumentException($"{ranges.Length} slices given for a view of {Rank} dimensions.", nameof(ranges));
        }

        int[] shape = (int[])_shape.Clone();
        long[] strides = (long[])_strides.Clone();
        long offset = Offset;
        for (int d = 0; d < ranges.Length; d++)
        {
            offset += Narrow(shape, strides, d, ranges[d]);
        }

        return Derive(shape, strides, offset, file, line, member);
    }

    /// <summary>The view at <paramref name="index"/> along <paramref name="dimension"/>, with that dimension removed (numpy's <c>v[i]</c>, PyTorch's <c>select</c>).</summary>
    public StridedView<T> Select(int dimension, int index,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        RequireDimension(dimension);
        long offset = Offset + Step(dimension, index);
        return Derive(Remove(_shape, dimension), Remove(_strides, dimension), offset, file, line, member);
    }

    /// <summary>A view with a new dimension of length 1 inserted at <paramref name="dimension"/> (numpy's <c>np.newaxis</c>).</summary>
    public StridedView<T> Unsqueeze(int dimension,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        if ((uint)dimension > (uint)Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"A new axis goes at a position from 0 to {Rank}.");
        }

        return Derive(Insert(_shape, dimension, 1), Insert(_strides, dimension, 0L), Offset, file, line, member);
    }

    /// <summary>The view with its dimensions reversed (numpy's <c>.T</c>): a C-contiguous view becomes Fortran-contiguous.</summary>
    public StridedView<T> Transpose([CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        int[] shape = (int[])_shape.Clone();
        long[] strides = (long[])_strides.Clone();
        Array.Reverse(shape);
        Array.Reverse(strides);
        return Derive(shape, strides, Offset, file, line, member);
    }

    /// <summary>The view with its dimensions in the order <paramref name="order"/> (a permutation of 0 … Rank − 1).</summary>
    public StridedView<T> PermuteDimensions(ReadOnlySpan<int> order,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        if (order.Length != Rank)
        {
            throw new ArgumentException($"A permutation of {Rank} dimensions was expected; got {order.Length}.", nameof(order));
        }

        var seen = new bool[Rank];
        var shape = new int[Rank];
        var strides = new long[Rank];
        for (int d = 0; d < order.Length; d++)
        {
            int from = order[d];
            if ((uint)from >= (uint)Rank || seen[from])
            {
                throw new ArgumentException($"[{string.Join(", ", order.ToArray())}] is not a permutation of 0 … {Rank - 1}.", nameof(order));
            }

            seen[from] = true;
            shape[d] = _shape[from];
            strides[d] = _strides[from];
        }

        return Derive(shape, strides, Offset, file, line, member);
    }

    /// <summary>A C-contiguous copy in new storage of <paramref name="family"/>, allocated at this call site; dispose it to free it.</summary>
    public StridedView<T> Copy(AllocationFamily family = AllocationFamily.Pool,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        CopyInto(MemoryOrder.C, family, file, line, member);

    /// <summary>A Fortran-contiguous copy in new storage of <paramref name="family"/>, allocated at this call site; dispose it to free it.</summary>
    public StridedView<T> CopyFortran(AllocationFamily family = AllocationFamily.Pool,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        CopyInto(MemoryOrder.Fortran, family, file, line, member);

    /// <summary>
    /// Copies every element into <paramref name="destination"/>, which must have the same shape. The two views may
    /// overlap in the same buffer: the source is then read in full before anything is written.
    /// </summary>
    public void CopyTo(StridedView<T> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        T* source = Origin;
        T* target = destination.WritableOrigin;
        if (!_shape.AsSpan().SequenceEqual(destination._shape))
        {
            throw new ArgumentException($"Cannot copy a view of shape ({FormatShape(_shape)}) into one of shape ({FormatShape(destination._shape)}).", nameof(destination));
        }

        if (FlattenedLength == 0)
        {
            return;
        }

        if (ReferenceEquals(_buffer, destination._buffer) && Overlaps(destination))
        {
            var staging = new T[FlattenedLength];
            fixed (T* stage = staging)
            {
                long[] contiguous = StridedLayout.ContiguousStrides(_shape, MemoryOrder.C);
                CopyElements(source, _strides, stage, contiguous, 0);
                CopyElements(stage, contiguous, target, destination._strides, 0);
            }

            return;
        }

        CopyElements(source, _strides, target, destination._strides, 0);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    /// <exception cref="InvalidOperationException">The view is read-only.</exception>
    public void Fill(T value) => FillElements(WritableOrigin, 0, value);

    /// <summary>The elements as one span, when the view is C-contiguous (a read or write through it is unchecked beyond its length).</summary>
    /// <exception cref="InvalidOperationException">The view is not C-contiguous.</exception>
    /// <exception cref="InvalidOperationException">The view is read-only (use <see cref="AsReadOnlySpan"/>).</exception>
    public Span<T> AsSpan()
    {
        T* origin = WritableOrigin;
        if (!IsCContiguous)
        {
            throw new InvalidOperationException("Only a C-contiguous view can be seen as one span; Copy() it first.");
        }

        return new Span<T>(origin, checked((int)FlattenedLength));
    }

    /// <summary>The elements as one read-only span, when the view is C-contiguous; works on read-only views.</summary>
    /// <exception cref="InvalidOperationException">The view is not C-contiguous.</exception>
    public ReadOnlySpan<T> AsReadOnlySpan()
    {
        T* origin = Origin;
        if (!IsCContiguous)
        {
            throw new InvalidOperationException("Only a C-contiguous view can be seen as one span; Copy() it first.");
        }

        return new ReadOnlySpan<T>(origin, checked((int)FlattenedLength));
    }

    /// <summary>The elements in C order, in a new managed array.</summary>
    public T[] ToArray()
    {
        T* origin = Origin;
        var result = new T[FlattenedLength];
        if (result.Length > 0)
        {
            fixed (T* target = result)
            {
                CopyElements(origin, _strides, target, StridedLayout.ContiguousStrides(_shape, MemoryOrder.C), 0);
            }
        }

        return result;
    }

    /// <summary>Releases the view (and, for a copy, frees its storage). Later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _origin = null;
            _buffer.ReleaseSlot(ViewId, _siteId, BufferViewKind.Strided, leaked: false);
            _owned?.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>For example <c>StridedView&lt;Double&gt;(3, 4) strides (4, 1) at 0</c>, prefixed <c>read-only</c> for a read-only view.</summary>
    public override string ToString() => $"{(IsReadOnly ? "read-only " : "")}StridedView<{typeof(T).Name}>({FormatShape(_shape)}) strides ({string.Join(", ", _strides)}) at {Offset}";

    /// <summary>
    /// Acquires a strided view of <paramref name="buffer"/> at the caller's site, checking (with checked arithmetic) that
    /// every element it reaches lies inside the buffer; otherwise nothing is acquired and the layout is refused.
    /// </summary>
    internal static StridedView<T> Acquire(NativeBuffer<T> buffer, int[] shape, long[] strides, long offset, NativeBuffer<T>? owned, bool readOnly, string file, int line, string member)
    {
        int siteId = Heaps.ThreadHeap.Current.Sites.Lookup(file, line, member);
        T* storage = buffer.AcquireSlot(BufferViewKind.Strided, siteId, out int length, out long viewId);
        try
        {
            StridedLayout.Validate(shape, strides, offset, length);
        }
        catch
        {
            buffer.ReleaseSlot(viewId, siteId, BufferViewKind.Strided, leaked: false);
            throw;
        }

        // An empty view may carry any offset that fits; it never reads through its origin.
        T* origin = StridedLayout.ElementCount(shape) > 0 ? storage + offset : storage;
        return new StridedView<T>(buffer, owned, origin, shape, strides, offset, viewId, siteId, readOnly);
    }

    private T* Origin
    {
        get
        {
            T* origin = _origin;
            if (origin == null)
            {
                ThrowReleased();
            }

            return origin;
        }
    }

    private T* WritableOrigin
    {
        get
        {
            T* origin = Origin;
            if (IsReadOnly)
            {
                ThrowReadOnly();
            }

            return origin;
        }
    }

    private StridedView<T> Derive(int[] shape, long[] strides, long offset, string file, int line, string member)
    {
        _ = Origin;
        return Acquire(_buffer, shape, strides, offset, owned: null, IsReadOnly, file, line, member);
    }

    private StridedView<T> CopyInto(MemoryOrder order, AllocationFamily family, string file, int line, string member)
    {
        T* source = Origin;
        var storage = new NativeBuffer<T>(checked((int)FlattenedLength), family, file, line, member);
        StridedView<T> copy;
        try
        {
            copy = Acquire(storage, (int[])_shape.Clone(), StridedLayout.ContiguousStrides(_shape, order), 0, storage, readOnly: false, file, line, member);
        }
        catch
        {
            storage.Dispose();
            throw;
        }

        if (copy.FlattenedLength > 0)
        {
            CopyElements(source, _strides, copy._origin, copy._strides, 0);
        }

        return copy;
    }

    /// <summary>Narrows one dimension to a slice; returns the change of offset.</summary>
    private static long Narrow(int[] shape, long[] strides, int dimension, SliceRange range)
    {
        (int first, int count) = range.Resolve(shape[dimension]);
        long delta = count > 0 ? StridedLayout.Multiply(first, strides[dimension], nameof(range)) : 0;
        shape[dimension] = count;
        strides[dimension] = StridedLayout.Multiply(strides[dimension], range.Step == 0 ? 1 : range.Step, nameof(range));
        return delta;
    }

    private bool Overlaps(StridedView<T> other)
    {
        (long min, long max) = StridedLayout.Extent(_shape, _strides, Offset);
        (long otherMin, long otherMax) = StridedLayout.Extent(other._shape, other._strides, other.Offset);
        return min <= otherMax && otherMin <= max;
    }

    /// <summary>Copies along dimension <paramref name="d"/> and below (C order); the innermost dimension is a plain loop.</summary>
    private void CopyElements(T* source, long[] sourceStrides, T* target, long[] targetStrides, int d)
    {
        if (_shape.Length == 0)
        {
            *target = *source;
            return;
        }

        int extent = _shape[d];
        long sourceStep = sourceStrides[d];
        long targetStep = targetStrides[d];
        if (d == _shape.Length - 1)
        {
            for (int i = 0; i < extent; i++)
            {
                target[i * targetStep] = source[i * sourceStep];
            }

            return;
        }

        for (int i = 0; i < extent; i++)
        {
            CopyElements(source + (i * sourceStep), sourceStrides, target + (i * targetStep), targetStrides, d + 1);
        }
    }

    private void FillElements(T* target, int d, T value)
    {
        if (_shape.Length == 0)
        {
            *target = value;
            return;
        }

        int extent = _shape[d];
        long step = _strides[d];
        for (int i = 0; i < extent; i++)
        {
            if (d == _shape.Length - 1)
            {
                target[i * step] = value;
            }
            else
            {
                FillElements(target + (i * step), d + 1, value);
            }
        }
    }

    private long Step(int dimension, int index)
    {
        if ((uint)index >= (uint)_shape[dimension])
        {
            ThrowIndex(dimension, index);
        }

        return index * _strides[dimension];
    }

    private void RequireRank(int rank)
    {
        if (rank != _shape.Length)
        {
            throw new ArgumentException($"The view has {_shape.Length} dimensions; {rank} indices were given.");
        }
    }

    private void RequireDimension(int dimension)
    {
        if ((uint)dimension >= (uint)_shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"The view has {_shape.Length} dimensions.");
        }
    }

    private static TItem[] Remove<TItem>(TItem[] items, int index)
    {
        var result = new TItem[items.Length - 1];
        Array.Copy(items, 0, result, 0, index);
        Array.Copy(items, index + 1, result, index, items.Length - index - 1);
        return result;
    }

    private static TItem[] Insert<TItem>(TItem[] items, int index, TItem value)
    {
        var result = new TItem[items.Length + 1];
        Array.Copy(items, 0, result, 0, index);
        result[index] = value;
        Array.Copy(items, index, result, index + 1, items.Length - index);
        return result;
    }

    private static string FormatShape(int[] shape) => string.Join(", ", shape);

    [DoesNotReturn]
    private void ThrowIndex(int dimension, int index) =>
        throw new IndexOutOfRangeException($"Index {index} is outside dimension {dimension} of length {_shape[dimension]}.");

    [DoesNotReturn]
    private static void ThrowReadOnly() => throw new InvalidOperationException("The view is read-only: read it with ItemRef, AsReadOnlySpan, ToArray or CopyTo.");

    [DoesNotReturn]
    private static void ThrowReleased() => throw new ObjectDisposedException(nameof(StridedView<T>), "The view has been released.");
}
