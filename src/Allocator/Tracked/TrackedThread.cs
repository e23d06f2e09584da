using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tracked;

/// <summary>
/// One thread's share of <see cref="TrackedBlocks"/>: an open-addressing table of the blocks it allocated, keyed by
/// address, and its quarantine of the blocks it freed.
/// <para>
/// Why per thread: an intercepted alloc/free pair has about 10 ns over glibc's own ~20 ns (issue 14: ≤ 1.5×), which a
/// lock or two compare-exchanges per pair already spend. Only the owner ever writes a key into an empty or deleted slot,
/// so an insert is plain stores (the record, then its key with release order). Any thread may claim a live record: the
/// claim is the one compare-exchange of a pair, the key <c>a</c> → <c>a | 1</c> (system blocks are at least 8-aligned, so
/// the low bit is free), after which the claimer alone owns the slot until it writes <see cref="Deleted"/>. A freeing
/// thread looks in its own table first (the common case) and then in the others'. Every access but the owner's own insert
/// and free takes the table's lock (its gate), and so does the owner's rebuild: a rebuild never copies a record while a
/// foreign claim is under way, and it may reuse the previous array, since nobody else reads the table outside the gate.
/// </para>
/// <para>
/// Why the quarantine is per thread: glibc keeps up to 7 free blocks per size in a per-thread cache; a quarantine shared
/// by all threads (2 048 blocks) pushed every pair onto glibc's slow paths. 32 frees per thread stay inside that cache.
/// A claimed block goes into the claimer's quarantine before its key is deleted, so a racing free that finds the key
/// claimed waits for the deletion and then finds the block quarantined: a block is always in a table or a quarantine.
/// </para>
/// </summary>
internal sealed class TrackedThread
{
    /// <summary>A deleted slot: skipped by lookups, reused by the owner's inserts.</summary>
    private const nint Deleted = -1;

    private const int InitialCapacity = 64;

    /// <summary>The largest table grown for address churn alone; live records grow it further.</summary>
    private const int ChurnCapacity = 1024;

    private static readonly Lock s_registryLock = new();

    /// <summary>Every thread's share that may hold live records or quarantined blocks; replaced whole (copy-on-write).</summary>
    private static TrackedThread[] s_all = [];

    [ThreadStatic]
    private static TrackedThread? t_current;

    /// <summary>The owner's heap: its allocation ids and counters.</summary>
    public readonly ThreadHeap Heap;

    private readonly Thread _owner;

    /// <summary>Held by a foreign claim and by the owner's grow (never by the owner's own inserts and claims).</summary>
    private readonly Lock _gate = new();

    private readonly Slot[] _ring = new Slot[TrackedBlocks.QuarantineCapacity];
    private Slot[] _slots = new Slot[InitialCapacity];
    private Slot[]? _spare;
    private int _shift = 64 - 6;
    private int _used;
    private int _inserts;
    private int _head;
    private long _quarantinedBytes;
    private bool _drained;

    private TrackedThread(Thread owner, ThreadHeap heap)
    {
        _owner = owner;
        Heap = heap;
    }

    public static TrackedThread Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? Register();
    }

    /// <summary>Records a block the system has just handed to this (owning) thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Insert(nint address, in TrackedBlock block) => Insert(address, block.AllocationId, block.Size, block.SiteId, block.Family);

    /// <inheritdoc cref="Insert(nint, in TrackedBlock)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Insert(nint address, long allocationId, nuint size, int siteId, AllocationFamily family)
    {
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        ref Slot first = ref MemoryMarshal.GetArrayDataReference(slots);
        for (int i = Start(address, _shift); ; i = (i + 1) & mask)
        {
            ref Slot slot = ref Unsafe.Add(ref first, i);
            nint key = Volatile.Read(ref slot.Key);
            if (key == Deleted || key == 0)
            {
                if (key == 0)
                {
                    if ((_used + 1) * 2 > slots.Length)
                    {
                        InsertAfterGrow(address, new TrackedBlock(allocationId, size, siteId, family));
                        return;
                    }

                    _used++;
                }

                // Field by field: a struct copy here went through the stack and stalled on store forwarding.
                _inserts++;
                slot.AllocationId = allocationId;
                slot.Size = size;
                slot.SiteId = siteId;
                slot.Family = family;
                Volatile.Write(ref slot.Key, address);
                return;
            }
        }
    }

    /// <summary>
    /// The fast path of a free: a live block of <paramref name="family"/> in this thread's own table is claimed and
    /// quarantined here; <paramref name="size"/> is its size and <paramref name="evicted"/> the block the quarantine gives
    /// back for room (0: none). False (nothing changed) for anything else: the caller takes the general path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFreeOwn(nint address, AllocationFamily family, out nuint size, out nint evicted, out AllocationFamily evictedFamily)
    {
        Slot[] slots = _slots;
        int mask = slots.Length - 1;
        ref Slot first = ref MemoryMarshal.GetArrayDataReference(slots);
        for (int i = Start(address, _shift); ; i = (i + 1) & mask)
        {
            ref Slot slot = ref Unsafe.Add(ref first, i);
            nint key = Volatile.Read(ref slot.Key);
            if (key == address)
            {
                // Only this thread writes records, so the size can be read before the claim. A free over the quarantine's
                // byte budget takes the general path (which gives older blocks back first).
                size = slot.Size;
                ref Slot head = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ring), _head);
                long bytes = _quarantinedBytes - (long)head.Size + (long)size;
                if (slot.Family != family || bytes > TrackedBlocks.QuarantineBytes
                    || Interlocked.CompareExchange(ref slot.Key, address | 1, address) != address)
                {
                    break;
                }

                // Claimed: the record cannot change until this thread deletes the key. The quarantine is always full
                // (see Quarantine): the head entry is the oldest, given back now, and the record takes its place.
                evicted = head.Key;
                evictedFamily = head.Family;
                Volatile.Write(ref head.Key, 0);
                CopyRecord(ref slot, ref head);
                Volatile.Write(ref head.Key, address);
                _quarantinedBytes = bytes;
                _head = (_head + 1) & (TrackedBlocks.QuarantineCapacity - 1);

                // A slot followed by an empty one ends every probe chain through it, so it can be emptied instead of
                // deleted (only this thread fills empty slots, so the next one stays empty meanwhile): the common
                // alloc/free pair leaves no deleted slot behind, and the table stays small.
                if (Volatile.Read(ref Unsafe.Add(ref first, (i + 1) & mask).Key) == 0)
                {
                    _used--;
                    Volatile.Write(ref slot.Key, 0);
                }
                else
                {
                    Volatile.Write(ref slot.Key, Deleted);
                }

                return true;
            }

            if (key == 0)
            {
                break;
            }
        }

        size = 0;
        evicted = 0;
        evictedFamily = AllocationFamily.Unknown;
        return false;
    }

    /// <summary>The record of the block <see cref="TryFreeOwn"/> has just quarantined (for publishing that free).</summary>
    public TrackedBlock LastFreed() => _ring[(_head - 1) & (TrackedBlocks.QuarantineCapacity - 1)].Read();

    /// <summary>
    /// Claims the live record of <paramref name="address"/> in any table (this thread's first). With a
    /// <paramref name="quarantine"/> the block then waits in it; without, it is forgotten (the caller owns the block).
    /// </summary>
    public static bool TryClaimAnywhere(nint address, AllocationFamily family, long allocationId, TrackedThread? quarantine, out TrackedBlock block)
    {
        if ((address & 1) != 0)
        {
            block = default;
            return false;
        }

        TrackedThread? own = t_current;
        if (own is not null && own.TryClaimIn(address, family, allocationId, quarantine, out block))
        {
            return true;
        }

        foreach (TrackedThread other in Volatile.Read(ref s_all))
        {
            if (other != own && other.TryClaimIn(address, family, allocationId, quarantine, out block))
            {
                return true;
            }
        }

        block = default;
        return false;
    }

    /// <summary>What any table or quarantine knows about an address (a claim under way is waited for).</summary>
    public static TrackedState Find(nint address, out TrackedBlock block)
    {
        if ((address & 1) != 0)
        {
            block = default;
            return TrackedState.Unknown;
        }

        TrackedThread? own = t_current;
        TrackedThread[] all = Volatile.Read(ref s_all);
        if (own is not null && own.TryReadLive(address, out block))
        {
            return TrackedState.Live;
        }

        foreach (TrackedThread other in all)
        {
            if (other != own && other.TryReadLive(address, out block))
            {
                return TrackedState.Live;
            }
        }

        // Not live anywhere: a claim moves a block into a quarantine before deleting its key, so it is there if it was freed.
        if (own is not null && own.TryReadQuarantined(address, out block))
        {
            return TrackedState.Quarantined;
        }

        foreach (TrackedThread other in all)
        {
            if (other != own && other.TryReadQuarantined(address, out block))
            {
                return TrackedState.Quarantined;
            }
        }

        block = default;
        return TrackedState.Unknown;
    }

    /// <summary>A copy of every live record of every table.</summary>
    public static List<LiveBlock> SnapshotLive()
    {
        var live = new List<LiveBlock>();
        ForEachLive((address, b) => live.Add(new LiveBlock(b.AllocationId, address, b.Size, b.SiteId, b.Family)));
        return live;
    }

    /// <summary>Adds every live record of every table to <paramref name="tally"/> (the hosting watcher's per-site walk).</summary>
    public static void AddLiveTo(SiteTally tally) =>
        ForEachLive((_, b) => tally.Add(b.SiteId, b.Family, (long)b.Size));

    /// <summary>
    /// Every live record of every table, one table at a time under its gate; a record whose key changed while it was
    /// read (freed and reused meanwhile) is skipped.
    /// </summary>
    private static void ForEachLive(Action<nint, TrackedBlock> visit)
    {
        foreach (TrackedThread thread in Volatile.Read(ref s_all))
        {
            lock (thread._gate)
            {
                foreach (ref Slot slot in thread._slots.AsSpan())
                {
                    nint key = Volatile.Read(ref slot.Key);
                    if (IsLiveKey(key))
                    {
                        TrackedBlock b = slot.Read();
                        if (Volatile.Read(ref slot.Key) == key)
                        {
                            visit(key, b);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Gives the quarantined blocks of exited threads back to the system, and forgets the shares of exited threads that
    /// hold no live record (a live block of an exited thread stays findable until someone frees it).
    /// </summary>
    public static void ReclaimExited()
    {
        lock (s_registryLock)
        {
            ReclaimExitedLocked();
        }
    }

    private static void ReclaimExitedLocked()
    {
        TrackedThread[] all = s_all;
        List<TrackedThread>? keep = null;
        for (int i = 0; i < all.Length; i++)
        {
            TrackedThread thread = all[i];
            if (thread._owner.IsAlive)
            {
                keep?.Add(thread);
                continue;
            }

            // The owner is gone: nobody else writes its quarantine.
            thread.DrainQuarantine();
            if (thread.HasLiveRecords())
            {
                keep?.Add(thread);
                continue;
            }

            keep ??= new List<TrackedThread>(all.AsSpan(0, i).ToArray());
        }

        if (keep is not null)
        {
            Volatile.Write(ref s_all, keep.ToArray());
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TrackedThread Register()
    {
        var thread = new TrackedThread(Thread.CurrentThread, ThreadHeap.Current);
        lock (s_registryLock)
        {
            ReclaimExitedLocked();
            Volatile.Write(ref s_all, [.. s_all, thread]);
        }

        t_current = thread;
        return thread;
    }

    /// <summary>
    /// Copies a record without its key: bytes 8–31, as 16 + 8 bytes. Not the whole slot: a load overlapping the key
    /// just written by the claim's compare-exchange cannot be forwarded from it and waits for the store to reach the
    /// cache (it cost a fifth of an intercepted pair).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRecord(ref Slot from, ref Slot to)
    {
        ref byte source = ref Unsafe.As<Slot, byte>(ref from);
        ref byte target = ref Unsafe.As<Slot, byte>(ref to);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, 8), Unsafe.ReadUnaligned<System.Runtime.Intrinsics.Vector128<byte>>(ref Unsafe.Add(ref source, 8)));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, 24), Unsafe.ReadUnaligned<long>(ref Unsafe.Add(ref source, 24)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Start(nint address, int shift) => (int)((((ulong)address >> 3) * 0x9E3779B97F4A7C15UL) >> shift);

    private static bool IsLiveKey(nint key) => key != 0 && (key & 1) == 0;

    /// <summary>Claims in this table; the foreign path (and the owner's general path), under the gate that excludes a grow.</summary>
    private bool TryClaimIn(nint address, AllocationFamily family, long allocationId, TrackedThread? quarantine, out TrackedBlock block)
    {
        lock (_gate)
        {
            var spin = default(SpinWait);
            while (true)
            {
                ref Slot slot = ref Locate(address, out bool claimedElsewhere);
                if (Unsafe.IsNullRef(ref slot))
                {
                    if (claimedElsewhere)
                    {
                        // Another thread is between its claim and the deletion: afterwards the block is in its quarantine.
                        spin.SpinOnce(sleep1Threshold: -1);
                        continue;
                    }

                    block = default;
                    return false;
                }

                if (Interlocked.CompareExchange(ref slot.Key, address | 1, address) != address)
                {
                    continue;
                }

                block = slot.Read();
                if ((family != AllocationFamily.Unknown && block.Family != family) || (allocationId != 0 && block.AllocationId != allocationId))
                {
                    Volatile.Write(ref slot.Key, address);
                    block = default;
                    return false;
                }

                nint evicted = 0;
                AllocationFamily evictedFamily = AllocationFamily.Unknown;
                if (quarantine is not null)
                {
                    evicted = quarantine.Quarantine(address, block, out evictedFamily);
                }

                Volatile.Write(ref slot.Key, Deleted);
                if (evicted != 0)
                {
                    SystemBlocks.Free(evictedFamily, evicted);
                }

                return true;
            }
        }
    }

    /// <summary>The slot holding <paramref name="address"/> live, or a null ref (and whether a claim of it is under way).</summary>
    private ref Slot Locate(nint address, out bool claimed)
    {
        Slot[] slots = Volatile.Read(ref _slots);
        int mask = slots.Length - 1;
        for (int i = Start(address, 64 - System.Numerics.BitOperations.Log2((uint)slots.Length)); ; i = (i + 1) & mask)
        {
            ref Slot slot = ref slots[i];
            nint key = Volatile.Read(ref slot.Key);
            if (key == address)
            {
                claimed = false;
                return ref slot;
            }

            if (key == (address | 1))
            {
                claimed = true;
                return ref Unsafe.NullRef<Slot>();
            }

            if (key == 0)
            {
                claimed = false;
                return ref Unsafe.NullRef<Slot>();
            }
        }
    }

    private bool TryReadLive(nint address, out TrackedBlock block)
    {
        var spin = default(SpinWait);
        while (true)
        {
            lock (_gate)
            {
                ref Slot found = ref Locate(address, out bool claimedNow);
                if (!Unsafe.IsNullRef(ref found))
                {
                    block = found.Read();
                    if (Volatile.Read(ref found.Key) == address)
                    {
                        return true;
                    }

                    continue;
                }

                if (!claimedNow)
                {
                    block = default;
                    return false;
                }
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private bool TryReadQuarantined(nint address, out TrackedBlock block)
    {
        foreach (ref Slot entry in _ring.AsSpan())
        {
            if (Volatile.Read(ref entry.Key) == address)
            {
                block = entry.Read();

                // The owner clears the address before it reuses the entry: unchanged means the record was not torn.
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref entry.Key) == address)
                {
                    return true;
                }
            }
        }

        block = default;
        return false;
    }

    private bool HasLiveRecords()
    {
        foreach (ref Slot slot in Volatile.Read(ref _slots).AsSpan())
        {
            if (IsLiveKey(Volatile.Read(ref slot.Key)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Holds a freed block back (on the quarantine's own thread); returns the block it gives back for room (0: none) —
    /// or the block itself when it alone is over the byte budget (given back at once, not remembered).
    /// <para>
    /// The ring is always full: an entry never used, or emptied, is address 0 and size 0, and evicting it gives back
    /// <c>free(NULL)</c>. So the steady path is one budget test and a write at the head, with no count to keep.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint Quarantine(nint address, in TrackedBlock block, out AllocationFamily evictedFamily)
    {
        ref Slot head = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ring), _head);
        long bytes = _quarantinedBytes - (long)head.Size + (long)block.Size;
        if (bytes > TrackedBlocks.QuarantineBytes)
        {
            return QuarantineOverBudget(address, block, out evictedFamily);
        }

        nint evicted = head.Key;
        evictedFamily = head.Family;
        head.Write(address, block);
        _quarantinedBytes = bytes;
        _head = (_head + 1) & (TrackedBlocks.QuarantineCapacity - 1);
        return evicted;
    }

    private nint QuarantineOverBudget(nint address, in TrackedBlock block, out AllocationFamily evictedFamily)
    {
        if ((long)block.Size > TrackedBlocks.QuarantineBytes)
        {
            evictedFamily = block.Family;
            return address;
        }

        // Give back the oldest until the new block fits beside the rest; the head entry (emptied last, or the next
        // oldest) is then replaced as usual.
        while (true)
        {
            ref Slot oldest = ref _ring[_head];
            if (oldest.Key != 0)
            {
                nint freed = oldest.Key;
                AllocationFamily family = oldest.Family;
                _quarantinedBytes -= (long)oldest.Size;
                oldest.Clear();
                SystemBlocks.Free(family, freed);
            }

            if (_quarantinedBytes + (long)block.Size <= TrackedBlocks.QuarantineBytes)
            {
                break;
            }

            _head = (_head + 1) & (TrackedBlocks.QuarantineCapacity - 1);
        }

        return Quarantine(address, block, out evictedFamily);
    }

    private void DrainQuarantine()
    {
        if (_drained)
        {
            return;
        }

        _drained = true;
        foreach (ref Slot entry in _ring.AsSpan())
        {
            nint address = entry.Key;
            if (address != 0)
            {
                AllocationFamily family = entry.Family;
                entry.Clear();
                SystemBlocks.Free(family, address);
            }
        }

        _quarantinedBytes = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void InsertAfterGrow(nint address, in TrackedBlock block)
    {
        lock (_gate)
        {
            // Rebuilt without deleted slots, at most a quarter full of live records, into the spare array when that is
            // the right size (every other thread reads a table only under the gate, so the old array can be reused next
            // time instead of allocating on the allocation path).
            Slot[] old = _slots;
            int live = 0;
            foreach (ref Slot slot in old.AsSpan())
            {
                if (IsLiveKey(slot.Key))
                {
                    live++;
                }
            }

            // Never smaller than before. Deleted slots fill it as glibc hands out addresses it has not handed out lately;
            // when that happened within two tables' worth of inserts, rebuilding costs more than a slot per insert, so
            // it is doubled too (up to ChurnCapacity, 32 KB: beyond, the rebuilds are rare enough as it is).
            int capacity = _inserts < 2 * old.Length && old.Length < ChurnCapacity ? old.Length * 2 : old.Length;
            while ((live + 1) * 4 > capacity)
            {
                capacity *= 2;
            }

            _inserts = 0;

            Slot[] slots = _spare is { } spare && spare.Length == capacity ? spare : new Slot[capacity];
            Array.Clear(slots);
            int shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
            int mask = capacity - 1;
            foreach (ref Slot slot in old.AsSpan())
            {
                if (IsLiveKey(slot.Key))
                {
                    int i = Start(slot.Key, shift);
                    while (slots[i].Key != 0)
                    {
                        i = (i + 1) & mask;
                    }

                    slots[i] = slot;
                }
            }

            _used = live;
            _shift = shift;
            _spare = old;
            Volatile.Write(ref _slots, slots);
        }

        Insert(address, block);
    }

    /// <summary>
    /// A table slot — 0 empty, <see cref="Deleted"/>, an address (live) or an address | 1 (claimed, being freed) — or a
    /// quarantine entry (its key the freed block's address, 0 empty). One layout for both (32 bytes, the record at 8–31),
    /// so a freed record is copied into the quarantine in two moves (<see cref="CopyRecord"/>) instead of field by field
    /// through the stack, where a byte stored and read back as a word stalled on store forwarding.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public nint Key;
        public long AllocationId;
        public nuint Size;
        public int SiteId;
        public AllocationFamily Family;

        public readonly TrackedBlock Read() => new(AllocationId, Size, SiteId, Family);

        /// <summary>Replaces a quarantine entry: its key is cleared first and written last, so a reader on another thread
        /// that finds the same key before and after reading the record has not read a torn one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Write(nint address, in TrackedBlock block)
        {
            Volatile.Write(ref Key, 0);
            AllocationId = block.AllocationId;
            Size = block.Size;
            SiteId = block.SiteId;
            Family = block.Family;
            Volatile.Write(ref Key, address);
        }

        public void Clear()
        {
            Volatile.Write(ref Key, 0);
            Size = 0;
        }
    }
}
