namespace LeakScope.Allocator;

/// <summary>
/// A read-only view of a whole <see cref="NativeBuffer{T}"/>, acquired by <see cref="NativeBuffer{T}.AcquireReadOnlyView"/>:
/// <see cref="Span"/> is a <see cref="ReadOnlySpan{T}"/>, so the view can only read (the buffer protocol's
/// <c>readonly</c> flag, by type). Like every view, while it is outstanding the buffer refuses to resize; dispose it to
/// release it. A view that is never disposed is released by its finalizer, which publishes a <c>ViewLeaked</c> event
/// naming the acquiring site.
/// </summary>
public sealed unsafe class ReadOnlyBufferView<T> : IDisposable
    where T : unmanaged
{
    private WholeBufferView<T> _view;

    internal ReadOnlyBufferView(NativeBuffer<T> buffer, T* pointer, int length, long viewId, int siteId) =>
        _view = new WholeBufferView<T>(buffer, pointer, length, viewId, siteId, BufferViewKind.ReadOnlyView);

    /// <summary>Releases a view that was never disposed and reports it as a leaked view (<c>view-leak</c>).</summary>
    ~ReadOnlyBufferView() => _view.Release(leaked: true);

    /// <summary>The buffer's elements, read-only, valid until this view is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The view has been released.</exception>
    public ReadOnlySpan<T> Span => new(_view.Pointer(nameof(ReadOnlyBufferView<T>)), _view.Length);

    /// <summary>The number of elements the view covers.</summary>
    public int Length => _view.Length;

    /// <summary>The size of one element in bytes (the buffer protocol's <c>itemsize</c>).</summary>
    public int ItemSize => sizeof(T);

    /// <summary>The bytes the view covers: <see cref="Length"/> × <see cref="ItemSize"/> (<c>nbytes</c>).</summary>
    public long NBytes => (long)_view.Length * sizeof(T);

    /// <summary>The buffer whose storage this view exports (a memoryview's <c>base</c>).</summary>
    public NativeBuffer<T> Base => _view.Buffer;

    /// <summary>Always true: the view can only read.</summary>
    public bool IsReadOnly => true;

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
