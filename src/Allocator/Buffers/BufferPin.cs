using System.Buffers;

namespace LeakScope.Allocator;

/// <summary>
/// The <see cref="IPinnable"/> inside each <see cref="MemoryHandle"/> that <see cref="NativeBuffer{T}.Pin"/> returns:
/// one per pin, so disposing the handle releases exactly that pin (a copy of the handle disposed twice releases it
/// once). A handle dropped without <c>Dispose</c> leaves this token unreachable; its finalizer publishes the pin as
/// a leaked view and releases it.
/// </summary>
internal sealed class BufferPin<T> : IPinnable
    where T : unmanaged
{
    private readonly NativeBuffer<T> _buffer;
    private readonly long _viewId;
    private readonly int _siteId;
    private int _released;

    public BufferPin(NativeBuffer<T> buffer, long viewId, int siteId)
    {
        _buffer = buffer;
        _viewId = viewId;
        _siteId = siteId;
    }

    ~BufferPin()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _buffer.ReleaseSlot(_viewId, _siteId, BufferViewKind.Pin, leaked: true);
        }
    }

    /// <summary>A further, independent pin of the same buffer.</summary>
    public MemoryHandle Pin(int elementIndex) => _buffer.Pin(elementIndex);

    public void Unpin()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _buffer.ReleaseSlot(_viewId, _siteId, BufferViewKind.Pin, leaked: false);
        }

        GC.SuppressFinalize(this);
    }
}
