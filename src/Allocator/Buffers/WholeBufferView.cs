using System.Diagnostics.CodeAnalysis;

namespace LeakScope.Allocator;

/// <summary>
/// What a view of a whole <see cref="NativeBuffer{T}"/> holds and does, written once for <see cref="BufferView{T}"/>
/// and <see cref="ReadOnlyBufferView{T}"/>: the storage it exports, its slot in the buffer's view table, and the release
/// that happens exactly once (by <c>Dispose</c>, or by the finalizer as a leak). A struct kept in a field of the view,
/// so a view is still one object.
/// </summary>
internal unsafe struct WholeBufferView<T>
    where T : unmanaged
{
    private readonly T* _pointer;
    private readonly int _siteId;
    private readonly BufferViewKind _kind;
    private int _released;

    public WholeBufferView(NativeBuffer<T> buffer, T* pointer, int length, long viewId, int siteId, BufferViewKind kind)
    {
        Buffer = buffer;
        _pointer = pointer;
        Length = length;
        ViewId = viewId;
        _siteId = siteId;
        _kind = kind;
    }

    public NativeBuffer<T> Buffer { get; }

    public int Length { get; }

    /// <summary>The view id its events carry.</summary>
    public long ViewId { get; }

    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>The first element, or <see cref="ObjectDisposedException"/> (naming <paramref name="viewType"/>) once released.</summary>
    public T* Pointer(string viewType)
    {
        if (IsReleased)
        {
            ThrowReleased(viewType);
        }

        return _pointer;
    }

    /// <summary>Releases the slot the first time (<paramref name="leaked"/>: from the finalizer); later calls do nothing.</summary>
    public void Release(bool leaked)
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Buffer.ReleaseSlot(ViewId, _siteId, _kind, leaked);
        }
    }

    [DoesNotReturn]
    private static void ThrowReleased(string viewType) => throw new ObjectDisposedException(viewType, "The view has been released.");
}
