namespace LeakScope.Allocator;

/// <summary>
/// A view of a whole <see cref="NativeBuffer{T}"/>, acquired by <see cref="NativeBuffer{T}.AcquireView"/>: while it is
/// outstanding the buffer refuses to resize, so <see cref="Span"/> stays valid. Dispose it to release it. A view that is
/// never disposed is released by its finalizer, which publishes a <c>ViewLeaked</c> event naming the acquiring site.
/// </summary>
public sealed unsafe class BufferView<T> : IDisposable
    where T : unmanaged
{
    private WholeBufferView<T> _view;

    internal BufferView(NativeBuffer<T> buffer, T* pointer, int length, long viewId, int siteId) =>
        _view = new WholeBufferView<T>(buffer, pointer, length, viewId, siteId, BufferViewKind.View);

    /// <summary>Releases a view that was never disposed and reports it as a leaked view (<c>view-leak</c>).</summary>
    ~BufferView() => _view.Release(leaked: true);

    /// <summary>The buffer's elements, valid until this view is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The view has been released.</exception>
    public Span<T> Span => new(_view.Pointer(nameof(BufferView<T>)), _view.Length);

    /// <summary>The number of elements the view covers.</summary>
    public int Length => _view.Length;

    /// <summary>True once the view has been disposed.</summary>
    public bool IsReleased => _view.IsReleased;

    /// <summary>The view id its events carry.</summary>
    internal long ViewId => _view.ViewId;

    /// <summary>Releases the view. Later calls do nothing.</summary>
    public void Dispose()
    {
        _view.Release(leaked: false);
        GC.SuppressFinalize(this);
    }
}
