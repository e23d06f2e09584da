using System.Diagnostics.CodeAnalysis;

namespace LeakScope.Allocator;

/// <summary>
/// A view of a whole <see cref="NativeBuffer{T}"/>, acquired by <see cref="NativeBuffer{T}.AcquireView"/>: while it is
/// outstanding the buffer refuses to resize, so <see cref="Span"/> stays valid. Dispose it to release it. A view that is
/// never disposed is released by its finalizer, which publishes a <c>ViewLeaked</c> event naming the acquiring site.
/// </summary>
public sealed unsafe class BufferView<T> : IDisposable
    where T : unmanaged
{
    private readonly NativeBuffer<T> _buffer;
    private readonly T* _pointer;
    private readonly int _length;
    private readonly int _siteId;
    private int _released;

    internal BufferView(NativeBuffer<T> buffer, T* pointer, int length, long viewId, int siteId)
    {
        _buffer = buffer;
        _pointer = pointer;
        _length = length;
        ViewId = viewId;
        _siteId = siteId;
    }

    /// <summary>Releases a view that was never disposed and reports it as a leaked view (<c>view-leak</c>).</summary>
    ~BufferView()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _buffer.ReleaseSlot(ViewId, _siteId, BufferViewKind.View, leaked: true);
        }
    }

    /// <summary>The buffer's elements, valid until this view is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The view has been released.</exception>
    public Span<T> Span
    {
        get
        {
            if (Volatile.Read(ref _released) != 0)
            {
                ThrowReleased();
            }

            return new Span<T>(_pointer, _length);
        }
    }

    /// <summary>The number of elements the view covers.</summary>
    public int Length => _length;

    /// <summary>True once the view has been disposed.</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>The view id its events carry.</summary>
    internal long ViewId { get; }

    /// <summary>Releases the view. Later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _buffer.ReleaseSlot(ViewId, _siteId, BufferViewKind.View, leaked: false);
        }

        GC.SuppressFinalize(this);
    }

    [DoesNotReturn]
    private static void ThrowReleased() => throw new ObjectDisposedException(nameof(BufferView<T>), "The view has been released.");
}
