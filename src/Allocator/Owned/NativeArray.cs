using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator;

/// <summary>
/// A resizable array of <typeparamref name="T"/> in native memory whose lifetime is tied to this object:
/// the analogue of Cython's <c>cpython.array</c> (<c>resize</c>, <c>resize_smart</c>, <c>clone</c>,
/// <c>copy</c>, <c>extend</c>, <c>extend_buffer</c>, <c>zero</c>).
/// </summary>
/// <remarks>
/// <para>The elements live in one block of the chosen family, allocated at the site that created the array.
/// <see cref="Resize"/>, <see cref="ResizeSmart"/>, <see cref="Extend"/> and <see cref="ExtendBuffer"/> reallocate
/// that block at their own call site, so a leaked array is reported where its storage last moved.
/// <see cref="Dispose"/> frees it. An array never disposed is freed by its finalizer, which first publishes an
/// <c>OwnerFinalized</c> event naming the creation site: that is a bug (the memory was held until a GC
/// happened to run), and the tracer reports it as <c>owner-finalized</c>.</para>
/// <para>Like <see cref="List{T}"/>, an instance is not safe for concurrent mutation. Spans from
/// <see cref="AsSpan"/> and references from the indexer are invalid after any member that may reallocate.</para>
/// <para>An array created with <c>zeroed: true</c> (the default) stays zero-initialised: elements added by a
/// resize start at zero. With <c>zeroed: false</c> they are unspecified, as in <c>cpython.array</c>.</para>
/// </remarks>
public sealed unsafe class NativeArray<T> : IDisposable, IOwnedStorage
    where T : unmanaged
{
    private OwnedBlock _block;
    private int _length;
    private int _capacity;
    private readonly bool _zeroed;

    /// <summary>Creates an array of <paramref name="length"/> elements in <paramref name="family"/>.</summary>
    /// <param name="length">The number of elements.</param>
    /// <param name="family">The family the storage comes from (and is returned to).</param>
    /// <param name="zeroed">Whether the elements start at zero (calloc) or unspecified (malloc).</param>
    /// <param name="file">Caller info: leave it to the compiler.</param>
    /// <param name="line">Caller info: leave it to the compiler.</param>
    /// <param name="member">Caller info: leave it to the compiler.</param>
    public NativeArray(int length, AllocationFamily family = AllocationFamily.Pool, bool zeroed = true,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _block = OwnedBlock.Create(OwnerKind.NativeArray, family, BytesFor(length), zeroed, file, line, member);
        _length = length;
        _capacity = length;
        _zeroed = zeroed;
        OwnerRegistry.Add(_block.OwnerId, _block.CreationTicket, this);
    }

    OwnedBlock IOwnedStorage.Storage => _block;

    /// <summary>Frees an array that was never disposed and publishes it as finalized (a leaked owner).</summary>
    ~NativeArray()
    {
        if (!_block.IsFreed)
        {
            _block.PublishFinalized();
            _block.Free();
        }
    }

    /// <summary>The number of elements; 0 once disposed.</summary>
    public int Length => _length;

    /// <summary>The number of elements the storage holds before the next reallocation (<c>cpython.array</c>'s <c>allocated</c>).</summary>
    public int Capacity => _capacity;

    /// <summary>The family the storage belongs to.</summary>
    public AllocationFamily Family => _block.Family;

    /// <summary>Whether the array has been disposed (or finalized): its storage is freed, and members that touch it throw <see cref="ObjectDisposedException"/>.</summary>
    public bool IsDisposed => _block.IsFreed;

    /// <summary>The owner id this array's events carry.</summary>
    internal long OwnerId => _block.OwnerId;

    /// <summary>The element at <paramref name="index"/>, by reference.</summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside <c>[0, Length)</c>.</exception>
    public ref T this[int index]
    {
        get
        {
            T* items = Items;
            if ((uint)index >= (uint)_length)
            {
                ThrowIndexOutOfRange();
            }

            return ref items[index];
        }
    }

    /// <summary>The elements as a span, valid until the next member that may reallocate.</summary>
    public Span<T> AsSpan() => new(Items, _length);

    /// <summary>
    /// Sets the length to exactly <paramref name="length"/>, reallocating the storage to fit (<c>cpython.array.resize</c>:
    /// fast for one-off resizes, not meant for growing by small steps — use <see cref="ResizeSmart"/>).
    /// </summary>
    public void Resize(int length, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ThrowIfDisposed();
        if (length != _capacity)
        {
            Reallocate(length, file, line, member);
        }

        SetLength(length);
    }

    /// <summary>
    /// Sets the length to <paramref name="length"/> with amortised growth, for small increments
    /// (<c>cpython.array.resize_smart</c>): the storage is kept when the new length is below the capacity and above a
    /// quarter of it; otherwise it is reallocated to <c>length + length / 2 + 1</c> elements (at most
    /// <see cref="int.MaxValue"/>, and never fewer than <paramref name="length"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="OutOfMemoryException">The storage could not be reallocated; the array is unchanged.</exception>
    public void ResizeSmart(int length, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ThrowIfDisposed();
        if (length < _capacity && (long)length * 4 > _capacity)
        {
            SetLength(length);
            return;
        }

        // The growth is capped at int.MaxValue elements, never below the length asked for: Length <= Capacity always.
        long capacity = Math.Min(length + (length / 2L) + 1, int.MaxValue);
        Reallocate((int)capacity, file, line, member);
        SetLength(length);
    }

    /// <summary>
    /// A new array of <paramref name="length"/> elements in the same family as <paramref name="template"/>
    /// (<c>cpython.array.clone</c>); its elements are zero when <paramref name="zero"/> is true, else unspecified.
    /// </summary>
    public static NativeArray<T> Clone(NativeArray<T> template, int length, bool zero,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentNullException.ThrowIfNull(template);
        template.ThrowIfDisposed();
        return new NativeArray<T>(length, template.Family, zero, file, line, member);
    }

    /// <summary>A new array, in the same family, with the same elements (<c>cpython.array.copy</c>).</summary>
    public NativeArray<T> Copy([CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ThrowIfDisposed();
        var copy = new NativeArray<T>(_length, Family, zeroed: false, file, line, member);
        AsSpan().CopyTo(copy.AsSpan());
        return copy;
    }

    /// <summary>Appends the elements of <paramref name="other"/> (<c>cpython.array.extend</c>); <paramref name="other"/> may be this array.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The result would exceed <see cref="int.MaxValue"/> elements; nothing was changed.</exception>
    public void Extend(NativeArray<T> other, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentNullException.ThrowIfNull(other);
        ThrowIfDisposed();
        other.ThrowIfDisposed();
        int count = other._length;
        int start = _length;
        ResizeSmart(GrownLength(start, count, nameof(other)), file, line, member);

        // Read the source after the resize: when other is this array, its storage may just have moved.
        Buffer.MemoryCopy(other.Items, Items + start, BytesFor(count), BytesFor(count));
    }

    /// <summary>
    /// Appends <paramref name="items"/> (<c>cpython.array.extend_buffer</c>). The span may point into this array's own
    /// storage: it is re-read from its new place if the storage moves.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The result would exceed <see cref="int.MaxValue"/> elements; nothing was changed.</exception>
    public void ExtendBuffer(ReadOnlySpan<T> items, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ThrowIfDisposed();
        int count = items.Length;
        int start = _length;
        fixed (T* source = items)
        {
            byte* storage = (byte*)Items;
            nuint offset = (nuint)((byte*)source - storage);
            bool inside = count > 0 && (byte*)source >= storage && offset < BytesFor(_capacity);

            ResizeSmart(GrownLength(start, count, nameof(items)), file, line, member);
            T* from = inside ? (T*)((byte*)Items + offset) : source;
            Buffer.MemoryCopy(from, Items + start, BytesFor(count), BytesFor(count));
        }
    }

    /// <summary>Sets every element to zero (<c>cpython.array.zero</c>).</summary>
    public void Zero() => AsSpan().Clear();

    /// <summary>Frees the storage. Later calls do nothing.</summary>
    /// <remarks><c>Dispose()</c> cannot take caller info (<c>using</c> calls it), so the free is sited at the creation site.</remarks>
    public void Dispose()
    {
        if (!_block.IsFreed)
        {
            _block.PublishDisposed();
            if (_block.Free())
            {
                _length = 0;
                _capacity = 0;
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>For example <c>NativeArray&lt;Single&gt;[1024] (Pool)</c>.</summary>
    public override string ToString() => $"NativeArray<{typeof(T).Name}>[{_length}] ({Family})";

    private T* Items
    {
        get
        {
            byte* pointer = _block.Pointer;
            if (pointer == null)
            {
                ThrowDisposed();
            }

            return (T*)pointer;
        }
    }

    private static nuint BytesFor(int length) => checked((nuint)length * (nuint)sizeof(T));

    /// <summary>The length after appending <paramref name="count"/> elements; refused when it would not fit in an <see cref="int"/>.</summary>
    internal static int GrownLength(int length, int count, string paramName)
    {
        long grown = (long)length + count;
        if (grown > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, count, $"Appending {count} elements to {length} would exceed {int.MaxValue} elements.");
        }

        return (int)grown;
    }

    private void Reallocate(int capacity, string file, int line, string member)
    {
        _block.Reallocate(BytesFor(capacity), file, line, member);
        _capacity = capacity;
        if (_length > capacity)
        {
            _length = capacity;
        }
    }

    /// <summary>Sets the length, zeroing the added elements of a zeroed array.</summary>
    private void SetLength(int length)
    {
        if (_zeroed && length > _length)
        {
            new Span<T>(Items + _length, length - _length).Clear();
        }

        _length = length;
    }

    private void ThrowIfDisposed()
    {
        if (_block.IsFreed)
        {
            ThrowDisposed();
        }
    }

    [DoesNotReturn]
    private static void ThrowDisposed() => throw new ObjectDisposedException(typeof(NativeArray<T>).Name);

    [DoesNotReturn]
    private static void ThrowIndexOutOfRange() => throw new IndexOutOfRangeException();
}
