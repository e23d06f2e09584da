using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator;

/// <summary>
/// Resizable native storage that exports views, with the rules of the buffer protocol (PEP 3118):
/// <see cref="AcquireView"/>, <see cref="AcquireStridedView(ReadOnlySpan{int}, MemoryOrder, string, int, string)"/>
/// and <c>Memory.Pin()</c> each count as a view until released, and <see cref="Resize"/> / <see cref="Append"/>
/// are refused with <see cref="BufferBusyException"/> while any view is outstanding.
/// </summary>
/// <remarks>
/// <para>The storage is one block of the chosen family allocated (zeroed) at the creation site; a resize reallocates
/// it at the resize call site, and elements it adds start at zero. Acquire and release of every view are published
/// (<c>ViewAcquired</c> / <c>ViewReleased</c>), a refused resize publishes <c>ResizeBlocked</c> followed by one
/// <c>ResizeBlockedView</c> per outstanding view, and a view finalized without release publishes <c>ViewLeaked</c>.</para>
/// <para><b>Dispose with views outstanding</b> is misuse: it is reported as <see cref="MisuseKind.DisposeWithViews"/>
/// (the event carries the buffer's owner id as its allocation id). Under <see cref="MisusePolicy.Report"/> the buffer
/// is disposed — no new view, resize or span can be had — but its storage is freed only when the last outstanding
/// view is released (or finalized), so a live view never reads freed memory. Under <see cref="MisusePolicy.Throw"/>
/// <see cref="AllocatorMisuseException"/> is thrown and the buffer is left as it was.</para>
/// <para>A buffer never disposed is freed by its finalizer, which publishes <c>OwnerFinalized</c> first.
/// Acquire, release, resize and dispose are thread-safe; the spans handed out are not synchronised.</para>
/// <para>As with every <see cref="MemoryManager{T}"/>, a span taken from <see cref="GetSpan"/> or <c>Memory.Span</c>
/// without a view is not protected: hold a view (or a pin) for as long as the memory is used.</para>
/// </remarks>
public sealed unsafe class NativeBuffer<T> : MemoryManager<T>, IOwnedStorage
    where T : unmanaged
{
    /// <summary>The site pins are published with: <c>Memory&lt;T&gt;.Pin()</c> passes no caller info through <see cref="Pin"/>.</summary>
    internal const string PinSiteFile = "Memory.Pin";
    internal const string PinSiteMember = "Pin";

    private const int Live = 0;
    private const int DisposeRequested = 1;
    private const int Freed = 2;

    private readonly Lock _gate = new();
    private readonly List<ViewRecord> _views = new();
    private OwnedBlock _block;
    private int _length;
    private int _state;
    private int _viewCount;

    /// <summary>Creates a buffer of <paramref name="length"/> zeroed elements in <paramref name="family"/>.</summary>
    /// <param name="length">The number of elements.</param>
    /// <param name="family">The family the storage comes from (and is returned to).</param>
    /// <param name="file">Caller info: leave it to the compiler.</param>
    /// <param name="line">Caller info: leave it to the compiler.</param>
    /// <param name="member">Caller info: leave it to the compiler.</param>
    public NativeBuffer(int length, AllocationFamily family = AllocationFamily.Pool,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _block = OwnedBlock.Create(OwnerKind.NativeBuffer, family, BytesFor(length), zero: true, file, line, member);
        _length = length;
        OwnerRegistry.Add(_block.OwnerId, _block.CreationTicket, this);
    }

    OwnedBlock IOwnedStorage.Storage => _block;

    /// <summary>Frees a buffer that was never disposed and publishes it as finalized (a leaked owner).</summary>
    /// <remarks>
    /// CA2015 warns that a span does not keep its memory manager alive. Owned storage needs the finalizer (an owner
    /// never disposed is exactly what LeakScope reports), and every view, pin and strided view references the buffer,
    /// so only a bare span from <see cref="GetSpan"/> is exposed — as with <see cref="NativeArray{T}.AsSpan"/>, keep
    /// the buffer reachable (or hold a view) while such a span is used.
    /// </remarks>
#pragma warning disable CA2015 // A finalizer on a MemoryManager<T>: owned native storage is freed by it by design (see remarks).
    ~NativeBuffer() => Dispose(disposing: false);
#pragma warning restore CA2015

    /// <summary>The number of elements; 0 once the storage has been freed.</summary>
    public int Length => _length;

    /// <summary>The family the storage belongs to.</summary>
    public AllocationFamily Family => _block.Family;

    /// <summary>Views outstanding: acquired views, strided views and pins not yet released.</summary>
    public int ViewCount => Volatile.Read(ref _viewCount);

    /// <summary>True once <see cref="Dispose()"/> has run (even while the storage waits for its last view) or the finalizer has.</summary>
    public bool IsDisposed => Volatile.Read(ref _state) != Live;

    /// <summary>The owner id this buffer's events carry.</summary>
    internal long OwnerId => _block.OwnerId;

    /// <summary>
    /// Sets the length to <paramref name="length"/>, reallocating the storage at this call site; added elements are zero.
    /// </summary>
    /// <exception cref="BufferBusyException">Views are outstanding; nothing was changed.</exception>
    public void Resize(int length, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        lock (_gate)
        {
            ThrowIfNotLive();
            if (_viewCount > 0)
            {
                ThrowBusy(length, file, line, member);
            }

            if (length != _length)
            {
                SetLengthLocked(length, file, line, member);
            }
        }
    }

    /// <summary>
    /// Appends <paramref name="items"/>, reallocating the storage at this call site. <paramref name="items"/> may point
    /// into this buffer's own storage (from <see cref="GetSpan"/>): it is re-read from its new place if the storage moves.
    /// </summary>
    /// <exception cref="BufferBusyException">Views are outstanding; nothing was changed.</exception>
    public void Append(ReadOnlySpan<T> items, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        lock (_gate)
        {
            ThrowIfNotLive();
            int start = _length;
            int count = items.Length;
            if (_viewCount > 0)
            {
                ThrowBusy((long)start + count, file, line, member);
            }

            if (count == 0)
            {
                return;
            }

            fixed (T* source = items)
            {
                byte* storage = _block.Pointer;
                nuint offset = (nuint)((byte*)source - storage);
                bool inside = (byte*)source >= storage && offset < _block.Bytes;

                SetLengthLocked(NativeArray<T>.GrownLength(start, count, nameof(items)), file, line, member);
                T* from = inside ? (T*)(_block.Pointer + offset) : source;
                Buffer.MemoryCopy(from, (T*)_block.Pointer + start, BytesFor(count), BytesFor(count));
            }
        }
    }

    /// <summary>Acquires a view of the whole buffer; the buffer cannot be resized until the view is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The buffer has been disposed.</exception>
    public BufferView<T> AcquireView([CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        int siteId = Heaps.ThreadHeap.Current.Sites.Lookup(file, line, member);
        T* pointer = AcquireSlot(BufferViewKind.View, siteId, out int length, out long viewId);
        return new BufferView<T>(this, pointer, length, viewId, siteId);
    }

    /// <summary>
    /// Acquires a read-only view of the whole buffer: its span is a <see cref="ReadOnlySpan{T}"/>. It counts as a view
    /// like any other (the buffer cannot be resized until it is disposed); its events carry the kind <c>view</c>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer has been disposed.</exception>
    public ReadOnlyBufferView<T> AcquireReadOnlyView([CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        int siteId = Heaps.ThreadHeap.Current.Sites.Lookup(file, line, member);
        T* pointer = AcquireSlot(BufferViewKind.ReadOnlyView, siteId, out int length, out long viewId);
        return new ReadOnlyBufferView<T>(this, pointer, length, viewId, siteId);
    }

    /// <summary>
    /// Acquires a strided view of the first <c>shape[0] × shape[1] × …</c> elements laid out in <paramref name="order"/>.
    /// The buffer cannot be resized until the view (and every view derived from it) is disposed.
    /// </summary>
    public StridedView<T> AcquireStridedView(ReadOnlySpan<int> shape, MemoryOrder order = MemoryOrder.C,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        long[] strides = StridedLayout.ContiguousStrides(shape, order);
        return StridedView<T>.Acquire(this, shape.ToArray(), strides, offset: 0, owned: null, readOnly: false, file, line, member);
    }

    /// <summary>
    /// Acquires a strided view with explicit <paramref name="strides"/> (in elements, may be negative or zero) starting at
    /// element <paramref name="offset"/>. Every element the view can reach must lie inside the buffer; the layout arithmetic
    /// is checked, so a stride or offset whose reach overflows is refused too.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative, or the layout's arithmetic overflows 64 bits.</exception>
    /// <exception cref="ArgumentException">The ranks differ, or an element the view reaches lies outside the buffer.</exception>
    public StridedView<T> AcquireStridedView(ReadOnlySpan<int> shape, ReadOnlySpan<long> strides, long offset = 0,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "")
    {
        if (shape.Length != strides.Length)
        {
            throw new ArgumentException($"The shape has {shape.Length} dimensions but {strides.Length} strides were given.", nameof(strides));
        }

        return StridedView<T>.Acquire(this, shape.ToArray(), strides.ToArray(), offset, owned: null, readOnly: false, file, line, member);
    }

    /// <summary>The storage as a span. Not a view: it does not keep the buffer from being resized.</summary>
    /// <exception cref="ObjectDisposedException">The buffer has been disposed.</exception>
    public override Span<T> GetSpan()
    {
        ThrowIfNotLive();
        return new Span<T>(_block.Pointer, _length);
    }

    /// <summary>
    /// Pins the element at <paramref name="elementIndex"/> (native memory never moves) and counts as a view until the
    /// returned handle is disposed. <c>Memory.Pin()</c> comes here; it carries no caller info, so pins are published
    /// with the synthetic site <c>Memory.Pin</c>. A handle dropped without <c>Dispose</c> is reported as a view leak.
    /// </summary>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        int siteId = Heaps.ThreadHeap.Current.Sites.Lookup(PinSiteFile, 0, PinSiteMember);
        T* pointer = AcquireSlot(BufferViewKind.Pin, siteId, out int length, out long viewId);
        if ((uint)elementIndex > (uint)length)
        {
            ReleaseSlot(viewId, siteId, BufferViewKind.Pin, leaked: false);
            throw new ArgumentOutOfRangeException(nameof(elementIndex), elementIndex, $"The buffer has {length} elements.");
        }

        return new MemoryHandle(pointer + elementIndex, default, new BufferPin<T>(this, viewId, siteId));
    }

    /// <summary>Not used: each pin is released through its own handle. Calling it directly is an error.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override void Unpin() =>
        throw new InvalidOperationException("A NativeBuffer pin is released by disposing the MemoryHandle that Pin returned.");

    /// <summary>
    /// Disposes the buffer and frees its storage. With views outstanding this is misuse (see the remarks on the type):
    /// under <see cref="MisusePolicy.Report"/> the storage is freed when the last view is released.
    /// Later calls do nothing.
    /// </summary>
    /// <remarks><c>Dispose()</c> cannot take caller info (<c>using</c> calls it), so its events name the creation site.</remarks>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>For example <c>NativeBuffer&lt;Byte&gt;[4096] (Pool, 1 views)</c>.</summary>
    public override string ToString() => $"NativeBuffer<{typeof(T).Name}>[{_length}] ({Family}, {ViewCount} views)";

    /// <summary>
    /// Frees the storage: from <see cref="IDisposable.Dispose"/> as a normal dispose (views still outstanding are reported),
    /// or from the finalizer, which reports the buffer as <c>owner-finalized</c>.
    /// </summary>
    /// <param name="disposing">True from <c>Dispose()</c>, false from the finalizer.</param>
    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (disposing)
            {
                DisposeLocked();
            }
            else
            {
                FinalizeLocked();
            }
        }
    }

    /// <summary>Counts a new view, publishes its acquisition, and returns the storage it may use until released.</summary>
    internal T* AcquireSlot(BufferViewKind kind, int siteId, out int length, out long viewId)
    {
        lock (_gate)
        {
            ThrowIfNotLive();
            viewId = Heaps.ThreadHeap.Current.NextAllocationId();
            _views.Add(new ViewRecord(viewId, siteId, kind));
            Interlocked.Increment(ref _viewCount);

            AllocatorEventSource log = AllocatorEventSource.Log;
            if (log.IsEnabled(System.Diagnostics.Tracing.EventLevel.Verbose, AllocatorEventSource.Keywords.Views))
            {
                log.ViewAcquired(viewId, OwnerId, siteId, ViewRecord.WireKind(kind));
            }

            Diagnostics.StackSampler.Always(LeakScope.Wire.WireStackOperation.AcquireView, viewId, 0, siteId);

            length = _length;
            return (T*)_block.Pointer;
        }
    }

    /// <summary>
    /// Releases a view once (its holder guarantees that): publishes <c>ViewReleased</c>, or <c>ViewLeaked</c> from a
    /// finalizer, and frees the storage if a dispose was waiting for this last view. Never throws.
    /// </summary>
    internal void ReleaseSlot(long viewId, int siteId, BufferViewKind kind, bool leaked)
    {
        lock (_gate)
        {
            for (int i = 0; i < _views.Count; i++)
            {
                if (_views[i].ViewId == viewId)
                {
                    _views.RemoveAt(i);
                    break;
                }
            }

            AllocatorEventSource log = AllocatorEventSource.Log;
            if (leaked)
            {
                if (log.IsEnabled(System.Diagnostics.Tracing.EventLevel.Warning, AllocatorEventSource.Keywords.Views))
                {
                    log.ViewLeaked(viewId, OwnerId, siteId, ViewRecord.WireKind(kind));
                }
            }
            else if (log.IsEnabled(System.Diagnostics.Tracing.EventLevel.Verbose, AllocatorEventSource.Keywords.Views))
            {
                log.ViewReleased(viewId, OwnerId, siteId, ViewRecord.WireKind(kind));
            }

            if (Interlocked.Decrement(ref _viewCount) == 0 && _state == DisposeRequested)
            {
                FreeStorageLocked();
            }
        }
    }

    private void DisposeLocked()
    {
        if (_state != Live)
        {
            return;
        }

        if (_viewCount > 0)
        {
            // Throws under MisusePolicy.Throw (the buffer stays live) and ends the process under FailFast.
            Heaps.MisuseReporter.Report(MisuseKind.DisposeWithViews, Family, Family, OwnerId, (nint)_block.Pointer, _block.Bytes, _block.SiteId, _block.SiteId);
        }

        _block.PublishDisposed();
        Volatile.Write(ref _state, DisposeRequested);
        if (_viewCount == 0)
        {
            FreeStorageLocked();
        }
    }

    private void FinalizeLocked()
    {
        // Anything that could still use the storage (views, pins, strided views) refers to this buffer, so it is
        // unreachable too: free now, whatever the count. Their own finalizers report them as leaked views.
        int previous = _state;
        if (previous == Freed)
        {
            return;
        }

        if (_block.IsFreed)
        {
            // The constructor threw before the storage existed (or after it was freed): there is no owner to report.
            Volatile.Write(ref _state, Freed);
            return;
        }

        if (previous == Live)
        {
            _block.PublishFinalized();
        }

        FreeStorageLocked();
    }

    private void FreeStorageLocked()
    {
        Volatile.Write(ref _state, Freed);
        _block.Free();
        _length = 0;
    }

    private void SetLengthLocked(int length, string file, int line, string member)
    {
        int old = _length;
        _block.Reallocate(BytesFor(length), file, line, member);
        _length = length;
        if (length > old)
        {
            new Span<T>((T*)_block.Pointer + old, length - old).Clear();
        }
    }

    [DoesNotReturn]
    private void ThrowBusy(long requestedLength, string file, int line, string member)
    {
        int siteId = Heaps.ThreadHeap.Current.Sites.Lookup(file, line, member);
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(System.Diagnostics.Tracing.EventLevel.Warning, AllocatorEventSource.Keywords.Views))
        {
            log.ResizeBlocked(OwnerId, siteId, requestedLength, _views.Count);
            foreach (ViewRecord view in _views)
            {
                log.ResizeBlockedView(OwnerId, view.ViewId, view.SiteId);
            }
        }

        Diagnostics.StackSampler.Always(LeakScope.Wire.WireStackOperation.RefuseResize, OwnerId, 0, siteId);

        var outstanding = new OutstandingView[_views.Count];
        for (int i = 0; i < outstanding.Length; i++)
        {
            ViewRecord view = _views[i];
            SiteInfo site = SiteRegistry.Get(view.SiteId);
            outstanding[i] = new OutstandingView(view.ViewId, view.Kind, site.File, site.Line, site.Member);
        }

        SiteInfo created = SiteRegistry.Get(_block.SiteId);
        string message =
            $"NativeBuffer<{typeof(T).Name}> #{OwnerId} (created at {Path.GetFileName(created.File)}:{created.Line}) cannot be resized to " +
            $"{requestedLength} elements at {Path.GetFileName(file)}:{line} ({member}): {outstanding.Length} view(s) outstanding: " +
            string.Join("; ", outstanding) + ". Release every view before resizing.";
        throw new BufferBusyException(message, OwnerId, requestedLength, outstanding);
    }

    private void ThrowIfNotLive()
    {
        if (Volatile.Read(ref _state) != Live)
        {
            ThrowDisposed();
        }
    }

    [DoesNotReturn]
    private static void ThrowDisposed() => throw new ObjectDisposedException(typeof(NativeBuffer<T>).Name);

    private static nuint BytesFor(int length) => checked((nuint)length * (nuint)sizeof(T));
}
