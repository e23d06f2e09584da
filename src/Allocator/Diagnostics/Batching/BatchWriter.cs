using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>
/// One thread's side of the high-rate mode: a buffer of compact records that the owning thread appends
/// to without atomics (publishing its end with a release store), and that a consumer — the heartbeat
/// thread, or the owner when the buffer is full — publishes in bulk as one <c>AllocationBatch</c> event.
/// Only the owner, under the consumer lock and after publishing everything, rewinds the buffer.
///
/// The newest allocation is held back in a <em>pending</em> slot instead of the ring: if the same thread
/// frees it before anything else is allocated, both halves fold into a per-site counter and no record
/// is written — the common alloc/free loop costs two counter updates. The slot is handed over with a
/// compare-exchange, so the heartbeat can publish a pending allocation of a thread that has gone quiet,
/// and the owner then writes a real free record instead of folding.
/// </summary>
internal sealed unsafe class BatchWriter
{
    /// <summary>Buffer size; a full buffer always fits one EventPipe event (payloads are capped at 64 KB).</summary>
    public const int Capacity = 32 * 1024;

    private const int PendingEmpty = 0;
    private const int PendingHeld = 1;
    private const int PendingTaken = 2;

    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(Capacity, pinned: true);
    private readonly Lock _consumer = new();

    private int _write;
    private int _committed;
    private int _published;

    private long _pendingId;
    private long _pendingSize;
    private int _pendingSite;
    private byte _pendingFamily;
    private int _pendingState;

    private FoldCounter[] _folds = new FoldCounter[64];
    private int[] _dirtyFolds = new int[16];
    private int _dirtyCount;
    private long _session;
    private long _stamp;

    public BatchWriter()
    {
        _session = Volatile.Read(ref BatchPublisher.Session);
        BatchPublisher.Register(this);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Allocated(long id, nuint size, int siteId, AllocationFamily family)
    {
        if (_stamp != BatchPublisher.Stamp)
        {
            OnStampChanged();
        }

        if (_pendingState != PendingEmpty)
        {
            CommitPending();
        }

        _pendingId = id;
        _pendingSize = (long)size;
        _pendingSite = siteId;
        _pendingFamily = (byte)family;
        Volatile.Write(ref _pendingState, PendingHeld);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Freed(long id, nuint size, int allocationSiteId, AllocationFamily family)
    {
        if (_pendingId == id && _pendingState == PendingHeld
            && Interlocked.CompareExchange(ref _pendingState, PendingEmpty, PendingHeld) == PendingHeld)
        {
            Fold(allocationSiteId, family, size);
            return;
        }

        FreedSlow(id);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreedSlow(long id)
    {
        WaitWhileTaken();
        byte* p = Reserve();
        p[0] = BatchRecord.Freed;
        Unsafe.WriteUnaligned(p + 1, id);
        Commit(9);
    }

    public void Reallocated(long oldId, long newId, nuint newSize, int siteId, AllocationFamily newFamily)
    {
        if (_pendingState != PendingEmpty)
        {
            CommitPending();
        }

        byte* start = Reserve();
        byte* p = start;
        *p++ = BatchRecord.Reallocated;
        Unsafe.WriteUnaligned(p, oldId);
        p += 8;
        Unsafe.WriteUnaligned(p, newId);
        p += 8;
        p = Varint.Write(p, (ulong)newSize);
        p = Varint.Write(p, (uint)siteId);
        *p++ = (byte)newFamily;
        Commit((int)(p - start));
    }

    /// <summary>
    /// Publishes everything written so far, including a pending allocation, as one batch to the current
    /// <see cref="BatchPublisher.Output"/>. Any thread may call it; the owner's folded counters are
    /// published by the owner itself (see <see cref="FlushFolds"/>).
    /// </summary>
    public void Publish()
    {
        lock (_consumer)
        {
            int committed = Volatile.Read(ref _committed);
            int length = committed - _published;
            bool tookPending = Interlocked.CompareExchange(ref _pendingState, PendingTaken, PendingHeld) == PendingHeld;
            if (length == 0 && !tookPending)
            {
                return;
            }

            byte* payload = stackalloc byte[Capacity + BatchRecord.MaxLength];
            fixed (byte* buffer = _buffer)
            {
                Buffer.MemoryCopy(buffer + _published, payload, length, length);
            }

            if (tookPending)
            {
                length += EncodeAllocated(payload + length, _pendingId, _pendingSize, _pendingSite, _pendingFamily);
                Volatile.Write(ref _pendingState, PendingEmpty);
            }

            _published = committed;
            BatchPublisher.Output.Write(payload, length);
        }
    }

    /// <summary>Called by the owner: appends the folded counters as records. Owner thread only.</summary>
    public void FlushFolds()
    {
        for (int i = 0; i < _dirtyCount; i++)
        {
            int key = _dirtyFolds[i];
            ref FoldCounter fold = ref _folds[key];
            byte* start = Reserve();
            byte* p = start;
            *p++ = BatchRecord.Folded;
            p = Varint.Write(p, (uint)(key >> 1));
            *p++ = (byte)((key & 1) + 1);
            p = Varint.Write(p, (ulong)fold.Count);
            p = Varint.Write(p, (ulong)fold.Bytes);
            Commit((int)(p - start));
            fold = default;
        }

        _dirtyCount = 0;
    }

    /// <summary>
    /// A heartbeat went by (append the folded counters so they are published next), or a new session
    /// started (drop counters that belong to the old one). Owner thread only.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnStampChanged()
    {
        _stamp = Volatile.Read(ref BatchPublisher.Stamp);
        long session = Volatile.Read(ref BatchPublisher.Session);
        if (_session == session)
        {
            FlushFolds();
            return;
        }

        _session = session;
        for (int i = 0; i < _dirtyCount; i++)
        {
            _folds[_dirtyFolds[i]] = default;
        }

        _dirtyCount = 0;
        BatchPublisher.Register(this);
    }

    /// <summary>The owner thread has exited: publish what it left, folded counters included.</summary>
    public void RetireFromExitedOwner()
    {
        if (_session == Volatile.Read(ref BatchPublisher.Session))
        {
            FlushFolds();
            Publish();
        }

        BatchPublisher.Unregister(this);
    }

    /// <summary>Drops unpublished records of an earlier session (called by the consumer when a session starts).</summary>
    public void Discard()
    {
        lock (_consumer)
        {
            Interlocked.CompareExchange(ref _pendingState, PendingEmpty, PendingHeld);
            _published = Volatile.Read(ref _committed);
        }
    }

    private void Fold(int siteId, AllocationFamily family, nuint size)
    {
        int key = (siteId << 1) | ((int)family - 1);
        if (key >= _folds.Length)
        {
            Array.Resize(ref _folds, Math.Max(key + 1, _folds.Length * 2));
        }

        ref FoldCounter fold = ref _folds[key];
        if (fold.Count == 0)
        {
            if (_dirtyCount == _dirtyFolds.Length)
            {
                Array.Resize(ref _dirtyFolds, _dirtyCount * 2);
            }

            _dirtyFolds[_dirtyCount++] = key;
        }

        fold.Count++;
        fold.Bytes += (long)size;
    }

    private void CommitPending()
    {
        if (Interlocked.CompareExchange(ref _pendingState, PendingEmpty, PendingHeld) == PendingHeld)
        {
            byte* p = Reserve();
            Commit(EncodeAllocated(p, _pendingId, _pendingSize, _pendingSite, _pendingFamily));
            return;
        }

        // The consumer took it and publishes it; wait until it has read the fields we are about to reuse.
        WaitWhileTaken();
    }

    private void WaitWhileTaken()
    {
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _pendingState) == PendingTaken)
        {
            spinner.SpinOnce();
        }
    }

    private static int EncodeAllocated(byte* start, long id, long size, int siteId, byte family)
    {
        byte* p = start;
        *p++ = BatchRecord.Allocated;
        Unsafe.WriteUnaligned(p, id);
        p += 8;
        p = Varint.Write(p, (ulong)size);
        p = Varint.Write(p, (uint)siteId);
        *p++ = family;
        return (int)(p - start);
    }

    /// <summary>Room for one record at the write position, publishing and rewinding a full buffer first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* Reserve()
    {
        if (_write + BatchRecord.MaxLength > Capacity)
        {
            PublishAndRewind();
        }

        fixed (byte* buffer = _buffer)
        {
            // The array lives on the pinned object heap, so the pointer stays valid after the fixed block.
            return buffer + _write;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Commit(int length)
    {
        _write += length;
        Volatile.Write(ref _committed, _write);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PublishAndRewind()
    {
        lock (_consumer)
        {
            Publish();
            _write = 0;
            _published = 0;
            Volatile.Write(ref _committed, 0);
        }
    }

    private struct FoldCounter
    {
        public long Count;
        public long Bytes;
    }
}
