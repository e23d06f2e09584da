using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>
/// One thread's side of the high-rate mode: a buffer of compact records that the owning thread appends
/// to without atomics (publishing its end with a release store), and that a consumer — the heartbeat
/// thread, or the owner when the buffer is full — publishes in bulk as one <c>AllocationBatch</c> event.
/// Only the owner, under the consumer lock and after publishing everything, rewinds the buffer.
///
/// The newest allocation is held back in a <em>pending</em> slot instead of the ring: if the same thread
/// frees it before anything else is allocated, both halves fold into a per-site counter and no record
/// is written — the common alloc/free loop costs two counter updates. A consumer may take the slot too (the
/// heartbeat publishes a pending allocation of a thread that has gone quiet; the owner then writes a real free
/// record instead of folding). Who gets the slot is decided without an atomic instruction on the owner's side: the
/// owner announces itself in <see cref="_reclaiming"/> and checks that no consumer has begun a take since it last
/// looked (<see cref="_takes"/>); a consumer announces its take, then runs a process-wide barrier
/// (<see cref="Interlocked.MemoryBarrierProcessWide"/>) before it looks at the owner — an asymmetric Dekker hand-over,
/// so at least one of the two sees the other. Whoever sees the other decides with a compare-exchange, as before
/// (see <see cref="TryReclaimPending"/>). The owner's fold was one compare-exchange per traced pair; it is now plain
/// stores and loads, and the barrier is paid once per heartbeat (bench/README.md, traced, issue 12 and 15 pass).
/// <para>
/// The writer also keeps the <em>operation boundary</em> a detach cut agrees on (<see cref="OperationCut"/>): at the end of
/// every record step the owner copies the counters the operation changed (<see cref="Counted"/>, then
/// <see cref="EndOperation"/>), so that "the owner's counters equal the copy" means "every operation it counted has its
/// record written" — and the cut can tell an owner between operations from one caught between counting and recording.
/// </para>
/// </summary>
internal sealed unsafe class BatchWriter
{
    /// <summary>Buffer size; a full buffer always fits one EventPipe event (payloads are capped at 64 KB).</summary>
    public const int Capacity = 32 * 1024;

    private const int PendingEmpty = 0;
    private const int PendingHeld = 1;
    private const int PendingTaken = 2;

    private static int s_nextWriterId;

    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(Capacity, pinned: true);
    private readonly Lock _consumer = new();
    private readonly int _writerId = Interlocked.Increment(ref s_nextWriterId);

    /// <summary>Batches published in this session (the <see cref="BatchRecord.Header"/> sequence). Under <see cref="_consumer"/>.</summary>
    private long _sequence;

    private int _write;
    private int _committed;
    private int _published;

    private long _pendingId;
    private long _pendingSize;
    private int _pendingSite;
    private byte _pendingFamily;
    private int _pendingState;

    /// <summary>Owner: 1 while it reclaims the pending slot without an atomic instruction (<see cref="TryReclaimPending"/>).</summary>
    private int _reclaiming;

    /// <summary>
    /// Consumers' takes of the pending slot: begun in the upper 32 bits (<see cref="TakeBegun"/>), ended in the lower
    /// (<see cref="PublishTaken"/>). Only grows, so an owner that reads a value it has seen before knows no take began since.
    /// </summary>
    private long _takes;

    /// <summary>Owner only: the <see cref="_takes"/> value it last saw with no take in progress.</summary>
    private long _takesSeen;

    private FoldCounter[] _folds = new FoldCounter[64];
    private int[] _dirtyFolds = new int[16];
    private int _dirtyCount;

    private readonly BatchingSession _session;
    private readonly IAllocationIdSource _ids;

    /// <summary>The session generation this writer's folded counters belong to (<see cref="BatchingSession.Generation"/>).</summary>
    private long _generation;

    /// <summary>
    /// A pending allocation folds only if its id is at least this: ids below it were handed out before the last rundown's
    /// walk ended (or before this writer existed), and the walk may have reported them live (<see cref="RaiseFoldFloor"/>).
    /// </summary>
    private long _foldFloor;

    /// <summary>The owner's counters as they were at the end of its last record step (<see cref="Counted"/>), indexed by family.</summary>
    private FamilyCounterSet _counted;

    /// <summary>The session generation <see cref="_counted"/> is a copy of every family in (0: none yet); written after the copy.</summary>
    private long _countedGeneration;

    /// <summary>
    /// Moved by the session after every change the owner acts on (<see cref="Signal"/>); read by the owner in every record
    /// step, here in its own writer rather than through the session (one load instead of two dependent ones).
    /// </summary>
    private long _signal;

    /// <summary>The <see cref="_signal"/> the owner last acted on (-1: never, so the first record step takes the slow path).</summary>
    private long _seenSignal = -1;

    /// <summary>
    /// <see cref="_seenSignal"/> when folding was allowed as the owner acted on it, else -1: a free folds at once while the
    /// writer's signal still equals it (one compare for "nothing changed" and "not walking").
    /// </summary>
    private long _foldSignal = -1;

    /// <summary>The owner's live counters, for the cut to compare with <see cref="_counted"/> (null: unknown, as for test owners without counters).</summary>
    private readonly IOperationCounts? _counts;

    /// <param name="session">The protocol this writer takes part in.</param>
    /// <param name="ids">Its owner's allocation ids: blocks handed out before the writer existed never fold. When it is the
    /// owner's heap (or an <see cref="IOperationCounts"/>), its counters are what the operation boundary compares.</param>
    public BatchWriter(BatchingSession session, IAllocationIdSource ids)
    {
        _session = session;
        _ids = ids;
        _counts = ids as IOperationCounts ?? (ids is ThreadHeap heap ? new ThreadHeapCounts(heap) : null);
        _generation = session.Generation;
        _foldFloor = ids.NextId;
        session.Register(this);
    }

    /// <summary>The fold floor now (for tests and for the rundown's reasoning).</summary>
    public long FoldFloor => Volatile.Read(ref _foldFloor);

    /// <summary>
    /// After a rundown's walk: every id the owner has handed out so far may have been reported live, so none of them may
    /// fold. The walk read each block's state with acquire semantics and the owner publishes its next id before it
    /// releases the block's Live state, so a block the walk saw has an id below the floor read here.
    /// </summary>
    public void RaiseFoldFloor() => Volatile.Write(ref _foldFloor, _ids.NextId);

    /// <summary>An allocation: held pending (a previous one still pending is written first). A heartbeat's folds, a new session and a cut are acted on by <see cref="EndOperation"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Allocated(long id, nuint size, int siteId, AllocationFamily family)
    {
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

    /// <summary>
    /// A block was freed: it folds with the pending allocation when the protocol allows (not Walking, id at or above the
    /// fold floor). True when it folded with the writer's signal unchanged since the owner last acted on it: the record
    /// step may then skip <see cref="EndOperation"/> (the signal it would read was read here, in the same step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Freed(long id, nuint size, int allocationSiteId, AllocationFamily family)
    {
        // _pendingId is written only by the owner: the slot's state is what TryReclaimPending decides on.
        if (_pendingId == id && TryReclaimPending())
        {
            // A block a rundown reported live must not vanish into a fold. The walk sets Walking, moves the signal and then
            // runs a process-wide barrier (BeginWalk), and the heap wrote this block's Freed state before this read: a walk
            // either missed the block, or runs now (the signal moved, Walking: no folding), or has ended and raised the
            // floor above every id it could have seen (before the signal moved again).
            if (Volatile.Read(ref _signal) == _foldSignal && id >= Volatile.Read(ref _foldFloor))
            {
                Fold(allocationSiteId, family, size);
                return true;
            }

            FreedPendingAfterChange(id, size, allocationSiteId, family);
            return false;
        }

        FreedSlow(id);
        return false;
    }

    /// <summary>
    /// The pending allocation was reclaimed, and the signal moved since the owner last acted on it (or the id is below the
    /// floor): decide as before the signal, by the state read now.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreedPendingAfterChange(long id, nuint size, int allocationSiteId, AllocationFamily family)
    {
        if (_session.FoldingAllowed && id >= Volatile.Read(ref _foldFloor))
        {
            Fold(allocationSiteId, family, size);
            return;
        }

        UnfoldedPair(id);
    }

    /// <summary>
    /// Owner only: takes the pending allocation back from the slot (Held → Empty), true when it got it; false when a
    /// consumer has taken it (or nothing is pending). Without a consumer in sight this is plain stores and loads: the
    /// owner announces itself (<see cref="_reclaiming"/>), then reads <see cref="_takes"/> and the state. A consumer
    /// announces its take in <see cref="_takes"/>, runs a process-wide barrier, and waits while the owner is reclaiming
    /// before it looks at the slot (<see cref="PublishTaken"/>). The barrier acts as a full fence in the owner's stream
    /// at some point: before the owner's announcement, and the owner reads the take begun and decides by compare-exchange;
    /// after it, and the consumer sees the owner reclaiming and waits until the slot is Empty. <see cref="_takes"/> only
    /// grows, so a take that began and ended while the owner was not looking still sends it to the compare-exchange.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReclaimPending()
    {
        Volatile.Write(ref _reclaiming, 1);
        if (Volatile.Read(ref _takes) == _takesSeen && Volatile.Read(ref _pendingState) == PendingHeld)
        {
            Volatile.Write(ref _pendingState, PendingEmpty);
            Volatile.Write(ref _reclaiming, 0);
            return true;
        }

        Volatile.Write(ref _reclaiming, 0);
        return ReclaimPendingContended();
    }

    /// <summary>
    /// A consumer may be taking the slot: decide by compare-exchange, as both sides did before. Remembers the takes seen
    /// only when none is in progress, so that an owner never goes back to the plain path while a consumer may still take.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool ReclaimPendingContended()
    {
        // Begun == ended: no take in progress. (The halves wrap after 2^32 takes, about 13 years of heartbeats.)
        long takes = Volatile.Read(ref _takes);
        if ((uint)(takes >>> 32) == (uint)takes)
        {
            _takesSeen = takes;
        }

        return Volatile.Read(ref _pendingState) == PendingHeld
            && Interlocked.CompareExchange(ref _pendingState, PendingEmpty, PendingHeld) == PendingHeld;
    }

    /// <summary>The owner's copy of a family's counters, as of its last record step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref FamilyCounters CopyOf(AllocationFamily family) =>
        ref Unsafe.Add(ref Unsafe.As<FamilyCounterSet, FamilyCounters>(ref _counted), (int)family);

    /// <summary>
    /// <see cref="Counted"/> for an allocation, which changed its family's live bytes and allocations only: the copy's
    /// frees already equal the counters' (the copy equals the counters at the end of every record step, and is taken whole
    /// when a session starts). Two loads and stores instead of three on every traced allocation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountedAllocation(AllocationFamily family, in FamilyCounters counters)
    {
        ref FamilyCounters copy = ref CopyOf(family);
        Volatile.Write(ref copy.LiveBytes, counters.LiveBytes);
        Volatile.Write(ref copy.Allocations, counters.Allocations);
    }

    /// <summary><see cref="CountedAllocation"/> for a free, which changed its family's live bytes and frees only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountedFree(AllocationFamily family, in FamilyCounters counters)
    {
        ref FamilyCounters copy = ref CopyOf(family);
        Volatile.Write(ref copy.LiveBytes, counters.LiveBytes);
        Volatile.Write(ref copy.Frees, counters.Frees);
    }

    /// <summary>
    /// The end of a record step, first part: the owner copies the counters of a family its operation changed, as they are
    /// now that the operation's record is written (or folded, or held pending). One call per family the operation changed
    /// (a realloc may change two), then <see cref="EndOperation"/>. Owner thread only; no atomic instruction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Counted(AllocationFamily family, in FamilyCounters counters)
    {
        ref FamilyCounters copy = ref CopyOf(family);

        // Release stores after the record's commit: a cut that reads the copy equal to the counters also sees the record.
        Volatile.Write(ref copy.LiveBytes, counters.LiveBytes);
        Volatile.Write(ref copy.Allocations, counters.Allocations);
        Volatile.Write(ref copy.Frees, counters.Frees);
    }

    /// <summary>
    /// The end of a record step: one read of the writer's signal (<see cref="Signal"/>; a fold that read it
    /// unchanged in the same step may skip this). When it moved: a heartbeat went by (the folded counters are appended),
    /// a session started (earlier folds dropped, the counters' copy taken again, every family), a detach cut began (the
    /// owner waits at this boundary until the cut is taken, so that a busy thread cannot keep the cut from holding still),
    /// or the state changed (whether frees may fold). Owner thread only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EndOperation()
    {
        if (_seenSignal != Volatile.Read(ref _signal))
        {
            OnSignal();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnSignal()
    {
        // The signal first: a change made after this read moves it again, and the owner acts on it at its next step.
        long signal = Volatile.Read(ref _signal);
        long generation = _session.Generation;
        if (_generation == generation)
        {
            FlushFolds();
        }
        else
        {
            _generation = generation;
            DropFolds();
            _session.Register(this);
        }

        if (Volatile.Read(ref _countedGeneration) != generation && _counts is not null)
        {
            // Operations done while nothing was recorded (before this writer existed, or between sessions) are in the
            // counters but in no copy: take every family again, now, between two operations.
            Span<FamilyCounters> now = stackalloc FamilyCounters[FamilySlots.Count];
            _counts.Read(now);
            for (int f = 0; f < FamilySlots.Count; f++)
            {
                Counted((AllocationFamily)f, now[f]);
            }

            Volatile.Write(ref _countedGeneration, generation);
        }

        _session.WaitAtCut();
        _seenSignal = signal;
        _foldSignal = _session.FoldingAllowed ? signal : -1;
    }

    /// <summary>
    /// The session changed something the owner acts on at the end of its next record step (a heartbeat went by, a session
    /// started, a cut began, the state changed): called by the session after the change, for every registered writer.
    /// </summary>
    internal void Signal() => Interlocked.Increment(ref _signal);

    /// <summary>
    /// For a detach cut, from any thread: the copy taken at the owner's last record step, then the owner's counters now.
    /// True when the copy is of this session (every family taken since the last start) and the counters are known; false
    /// leaves <paramref name="counted"/> meaningless and <paramref name="counters"/> zero when unknown.
    /// </summary>
    public bool ReadBoundary(Span<FamilyCounters> counted, Span<FamilyCounters> counters)
    {
        bool valid = Volatile.Read(ref _countedGeneration) == _session.Generation && _counts is not null;
        for (int f = 0; f < FamilySlots.Count; f++)
        {
            ref FamilyCounters copy = ref CopyOf((AllocationFamily)f);
            counted[f] = copy.ReadVolatile();
        }

        if (_counts is null)
        {
            counters.Clear();
            return false;
        }

        _counts.Read(counters);
        return valid;
    }

    /// <summary>A rundown may have reported the pending block live: write its allocation and its free. Owner thread only.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void UnfoldedPair(long id)
    {
        byte* p = Reserve();
        Commit(EncodeAllocated(p, _pendingId, _pendingSize, _pendingSite, _pendingFamily));
        p = Reserve();
        p[0] = BatchRecord.Freed;
        Unsafe.WriteUnaligned(p + 1, id);
        Commit(9);
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
    /// <see cref="BatchingSession.Output"/>. Any thread may call it; the owner's folded counters are
    /// published by the owner itself (see <see cref="FlushFolds"/>). Runs a process-wide barrier: to publish many
    /// writers, <see cref="BatchingSession.PublishAll"/> announces every take and runs one.
    /// </summary>
    public void Publish()
    {
        TakeBegun();
        Interlocked.MemoryBarrierProcessWide();
        PublishTaken();
    }

    /// <summary>A consumer announces a take of the pending slot; <see cref="PublishTaken"/> ends it, after a process-wide barrier.</summary>
    internal void TakeBegun() => Interlocked.Add(ref _takes, 1L << 32);

    /// <summary>
    /// Publishes, for a consumer that announced its take (<see cref="TakeBegun"/>) and has run a process-wide barrier since
    /// (see <see cref="TryReclaimPending"/>); ends the take.
    /// </summary>
    internal void PublishTaken()
    {
        try
        {
            lock (_consumer)
            {
                // An owner reclaiming its slot now finishes in a few instructions (it takes no lock, waits for nothing).
                var spinner = default(SpinWait);
                while (Volatile.Read(ref _reclaiming) != 0)
                {
                    spinner.SpinOnce();
                }

                PublishLocked();
            }
        }
        finally
        {
            Interlocked.Increment(ref _takes);
        }
    }

    /// <summary>The publish itself, under <see cref="_consumer"/>: by a consumer past the hand-over, or by the owner.</summary>
    private void PublishLocked()
    {
        int committed = Volatile.Read(ref _committed);
        int length = committed - _published;
        bool tookPending = Volatile.Read(ref _pendingState) == PendingHeld
            && Interlocked.CompareExchange(ref _pendingState, PendingTaken, PendingHeld) == PendingHeld;
        if (length == 0 && !tookPending)
        {
            return;
        }

        byte* payload = stackalloc byte[BatchRecord.MaxHeaderLength + Capacity + BatchRecord.MaxLength];
        byte* p = payload;
        *p++ = BatchRecord.Header;
        p = Varint.Write(p, (uint)_writerId);
        p = Varint.Write(p, (ulong)++_sequence);
        fixed (byte* buffer = _buffer)
        {
            Buffer.MemoryCopy(buffer + _published, p, length, length);
        }

        p += length;
        if (tookPending)
        {
            p += EncodeAllocated(p, _pendingId, _pendingSize, _pendingSite, _pendingFamily);
            Volatile.Write(ref _pendingState, PendingEmpty);
        }

        _published = committed;
        _session.Output.Write(payload, (int)(p - payload));
    }

    /// <summary>Called by the owner: appends the folded counters as records. Owner thread only.</summary>
    public void FlushFolds()
    {
        for (int i = 0; i < _dirtyCount; i++)
        {
            int key = _dirtyFolds[i];
            ref FoldCounter fold = ref _folds[key];
            AppendFold(key, fold.Count, fold.Bytes);
            fold = default;
        }

        _dirtyCount = 0;
    }

    /// <summary>
    /// At process exit, for an owner that is not running any more (it waits for the exit handlers): moves its folded
    /// counters into <paramref name="destination"/>, the calling thread's own writer, so that nothing but that thread
    /// writes into a buffer. Reads the owner's arrays once and checks every index, so an owner that runs after all can
    /// at worst skew its own counts, never break the heap or the records.
    /// </summary>
    public void MoveFoldsAtExit(BatchWriter destination)
    {
        if (_generation != _session.Generation || ReferenceEquals(destination, this))
        {
            return;
        }

        FoldCounter[] folds = _folds;
        int[] dirty = _dirtyFolds;
        int count = Math.Min(_dirtyCount, dirty.Length);
        _dirtyCount = 0;
        for (int i = 0; i < count; i++)
        {
            int key = dirty[i];
            if ((uint)key < (uint)folds.Length && folds[key].Count > 0)
            {
                FoldCounter fold = folds[key];
                folds[key] = default;
                destination.AppendFold(key, fold.Count, fold.Bytes);
            }
        }
    }

    /// <summary>
    /// A fold counter's index is its site and its family together: the family in the low bits. Every family's wire value
    /// (raw 1 … cotaskmem 6) fits in three; one bit, enough for raw and pool alone, filed the tracked families' folds under
    /// other sites as raw or pool.
    /// </summary>
    private const int FoldFamilyBits = 3;

    private const int FoldFamilyMask = (1 << FoldFamilyBits) - 1;

    /// <summary>Writes one tag 4 record. Owner thread only.</summary>
    private void AppendFold(int key, long count, long bytes)
    {
        byte* start = Reserve();
        byte* p = start;
        *p++ = BatchRecord.Folded;
        p = Varint.Write(p, (uint)(key >> FoldFamilyBits));
        *p++ = (byte)(key & FoldFamilyMask);
        p = Varint.Write(p, (ulong)count);
        p = Varint.Write(p, (ulong)bytes);
        Commit((int)(p - start));
    }

    /// <summary>Forgets the folded counters (they belong to an earlier session). Owner thread only, or one that knows the owner is gone.</summary>
    private void DropFolds()
    {
        for (int i = 0; i < _dirtyCount; i++)
        {
            _folds[_dirtyFolds[i]] = default;
        }

        _dirtyCount = 0;
    }

    /// <summary>
    /// The owner thread has exited: publish what it left, folded counters included. The records are published even when
    /// the writer never learnt of the current session (it learns on its next allocation, and a thread that only freed
    /// after a re-attach has none): a session start discarded everything written before it, so whatever is in the
    /// buffer now was written in this session. Only folded counters can be an earlier session's; those are dropped.
    /// </summary>
    public void RetireFromExitedOwner()
    {
        if (!FlushFoldsOfThisSession())
        {
            DropFolds();
        }

        Publish();
        _session.Unregister(this);
    }

    /// <summary>
    /// Appends the folded counters unless they belong to an earlier session; false then. Owner thread only, or a
    /// thread that knows the owner is not running (exited, or waiting for the process exit).
    /// </summary>
    public bool FlushFoldsOfThisSession()
    {
        if (_generation != _session.Generation)
        {
            return false;
        }

        FlushFolds();
        return true;
    }

    /// <summary>Drops unpublished records of an earlier session and restarts the batch sequence (called when a session starts).</summary>
    public void Discard()
    {
        lock (_consumer)
        {
            Interlocked.CompareExchange(ref _pendingState, PendingEmpty, PendingHeld);
            _published = Volatile.Read(ref _committed);
            _sequence = 0;
        }
    }

    // Every traced alloc/free pair of a loop ends here: a site already counting adds to its counter in line; the first fold
    // of a site since the last flush (recorded as dirty, the array maybe grown) is out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Fold(int siteId, AllocationFamily family, nuint size)
    {
        int key = (siteId << FoldFamilyBits) | (int)family;
        FoldCounter[] folds = _folds;
        if ((uint)key < (uint)folds.Length && folds[key].Count != 0)
        {
            ref FoldCounter fold = ref folds[key];
            fold.Count++;
            fold.Bytes += (long)size;
            return;
        }

        FoldFirst(key, size);
    }

    // Compiled optimized at once: left to tiering, folding ran as Tier-0 code for a while in traced runs under load, when the
    // background compiler's thread was starved (bench/README.md, traced).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void FoldFirst(int key, nuint size)
    {
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

    // Out of line: the allocation's record step inlines into the caller's loop, and this (a previous allocation still
    // pending, not folded) is not the pair that loop folds.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CommitPending()
    {
        if (TryReclaimPending())
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
            // The owner itself: it is not reclaiming its slot now, so no hand-over is needed.
            PublishLocked();
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
