using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tracked;

/// <summary>
/// The address-keyed table beside the system blocks of the tracked families (<c>NativeMemory</c>, <c>Marshal</c>):
/// the blocks carry no header, so everything a free must check lives here. The table is split into
/// <see cref="StripeCount"/> stripes chosen by the address, each with its own lock, so threads meet only when their
/// blocks hash to the same stripe — there is no global lock on the hot path.
/// <para>
/// A freed block is not handed back to the system at once: it waits in its stripe's quarantine (the last
/// <see cref="QuarantineCapacity"/> frees, at most <see cref="QuarantineBytes"/> bytes) with its record. While it waits
/// nobody can be given its address, so a second free of it is certainly a double free and is never passed to the
/// system. A free of an address the table does not know (allocated by the runtime or by native code, or freed so long
/// ago that the system may have handed it to someone else) is passed through.
/// </para>
/// </summary>
internal static class TrackedBlocks
{
    internal const int StripeCount = 64;
    internal const int QuarantineCapacity = 32;
    internal const long QuarantineBytes = 256 * 1024;

    private static readonly Stripe[] s_stripes = CreateStripes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Stripe StripeOf(nint address) =>
        s_stripes[(int)(((ulong)address >> 4) * 0x9E3779B97F4A7C15UL >> 58)];

    /// <summary>Records a block the system has just handed out (its address may still carry a forgotten record).</summary>
    public static void Add(nint address, in TrackedBlock block)
    {
        Stripe stripe = StripeOf(address);
        stripe.Enter();
        try
        {
            stripe.Set(address, new TrackedEntry(block, TrackedState.Live));
        }
        finally
        {
            stripe.Exit();
        }
    }

    /// <summary>
    /// The free of a live block of <paramref name="family"/>: moves it into quarantine and returns its record, and the
    /// block the quarantine evicted (to be given back to the system by the caller, outside the lock). False when the
    /// address is not a live block of that family (nothing changes then).
    /// </summary>
    public static bool TryQuarantine(nint address, AllocationFamily family, long allocationId, out TrackedBlock block, out Evicted evicted)
    {
        Stripe stripe = StripeOf(address);
        evicted = default;
        stripe.Enter();
        try
        {
            ref TrackedEntry entry = ref stripe.Find(address);
            if (Unsafe.IsNullRef(ref entry) || entry.State != TrackedState.Live
                || (family != AllocationFamily.Unknown && entry.Block.Family != family)
                || (allocationId != 0 && entry.Block.AllocationId != allocationId))
            {
                block = default;
                return false;
            }

            block = entry.Block;
            entry.State = TrackedState.Quarantined;
            stripe.Quarantine(address, block, ref evicted);
            return true;
        }
        finally
        {
            stripe.Exit();
        }
    }

    /// <summary>Takes a live block out of the table for good (a realloc about to move it, or <c>Forget</c>).</summary>
    public static bool TryTake(nint address, long allocationId, out TrackedBlock block)
    {
        Stripe stripe = StripeOf(address);
        stripe.Enter();
        try
        {
            ref TrackedEntry entry = ref stripe.Find(address);
            if (Unsafe.IsNullRef(ref entry) || entry.State != TrackedState.Live || (allocationId != 0 && entry.Block.AllocationId != allocationId))
            {
                block = default;
                return false;
            }

            block = entry.Block;
            stripe.Remove(address);
            return true;
        }
        finally
        {
            stripe.Exit();
        }
    }

    /// <summary>What the table knows about an address.</summary>
    public static TrackedState Find(nint address, out TrackedBlock block)
    {
        Stripe stripe = StripeOf(address);
        stripe.Enter();
        try
        {
            ref TrackedEntry entry = ref stripe.Find(address);
            if (!Unsafe.IsNullRef(ref entry))
            {
                block = entry.Block;
                return entry.State;
            }
        }
        finally
        {
            stripe.Exit();
        }

        block = default;
        return TrackedState.Unknown;
    }

    /// <summary>A copy of every live tracked block, for rundown.</summary>
    public static List<LiveBlock> SnapshotLive()
    {
        var live = new List<LiveBlock>();
        foreach (Stripe stripe in s_stripes)
        {
            stripe.Enter();
            try
            {
                stripe.CollectLive(live);
            }
            finally
            {
                stripe.Exit();
            }
        }

        return live;
    }

    /// <summary>Adds every live tracked block to <paramref name="tally"/>, one stripe at a time (each under its own lock, held for one pass over its table).</summary>
    public static void AddLiveTo(SiteTally tally)
    {
        foreach (Stripe stripe in s_stripes)
        {
            stripe.Enter();
            try
            {
                stripe.AddLiveTo(tally);
            }
            finally
            {
                stripe.Exit();
            }
        }
    }

    private static Stripe[] CreateStripes()
    {
        var stripes = new Stripe[StripeCount];
        for (int i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Stripe();
        }

        return stripes;
    }

    /// <summary>
    /// One stripe: its blocks by address (live and quarantined) in an open-addressing table, and its quarantine ring,
    /// guarded by a spin flag (one compare-exchange to enter, a release store to leave: the critical sections are a few
    /// array accesses, so a waiter spins briefly instead of sleeping).
    /// </summary>
    private sealed class Stripe
    {
        private const nint Tombstone = -1;

        private readonly (nint Address, AllocationFamily Family, nuint Size)[] _ring = new (nint, AllocationFamily, nuint)[QuarantineCapacity];
        private int _gate;
        private nint[] _keys = new nint[16];
        private TrackedEntry[] _entries = new TrackedEntry[16];
        private int _count;
        private int _used;
        private int _head;
        private int _quarantined;
        private long _bytes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Enter()
        {
            if (Interlocked.CompareExchange(ref _gate, 1, 0) != 0)
            {
                EnterContended();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Exit() => Volatile.Write(ref _gate, 0);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void EnterContended()
        {
            var spin = default(SpinWait);
            do
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
            while (Volatile.Read(ref _gate) != 0 || Interlocked.CompareExchange(ref _gate, 1, 0) != 0);
        }

        /// <summary>The entry of an address, or a null ref.</summary>
        public ref TrackedEntry Find(nint address)
        {
            nint[] keys = _keys;
            int mask = keys.Length - 1;
            for (int i = Start(address, mask); ; i = (i + 1) & mask)
            {
                nint key = keys[i];
                if (key == address)
                {
                    return ref _entries[i];
                }

                if (key == 0)
                {
                    return ref Unsafe.NullRef<TrackedEntry>();
                }
            }
        }

        public void Set(nint address, in TrackedEntry entry)
        {
            if ((_used + 1) * 4 > _keys.Length * 3)
            {
                Rehash();
            }

            nint[] keys = _keys;
            int mask = keys.Length - 1;
            int free = -1;
            for (int i = Start(address, mask); ; i = (i + 1) & mask)
            {
                nint key = keys[i];
                if (key == address)
                {
                    _entries[i] = entry;
                    return;
                }

                if (key == Tombstone && free < 0)
                {
                    free = i;
                }
                else if (key == 0)
                {
                    if (free < 0)
                    {
                        free = i;
                        _used++;
                    }

                    keys[free] = address;
                    _entries[free] = entry;
                    _count++;
                    return;
                }
            }
        }

        public void Remove(nint address)
        {
            nint[] keys = _keys;
            int mask = keys.Length - 1;
            for (int i = Start(address, mask); keys[i] != 0; i = (i + 1) & mask)
            {
                if (keys[i] == address)
                {
                    keys[i] = Tombstone;
                    _entries[i] = default;
                    _count--;
                    return;
                }
            }
        }

        public void AddLiveTo(SiteTally tally)
        {
            nint[] keys = _keys;
            TrackedEntry[] entries = _entries;
            for (int i = 0; i < keys.Length; i++)
            {
                nint key = keys[i];
                if (key != 0 && key != Tombstone && entries[i].State == TrackedState.Live)
                {
                    tally.Add(entries[i].Block.SiteId, entries[i].Block.Family, (long)entries[i].Block.Size);
                }
            }
        }

        public void CollectLive(List<LiveBlock> live)
        {
            for (int i = 0; i < _keys.Length; i++)
            {
                nint key = _keys[i];
                if (key != 0 && key != Tombstone && _entries[i].State == TrackedState.Live)
                {
                    TrackedBlock b = _entries[i].Block;
                    live.Add(new LiveBlock(b.AllocationId, key, b.Size, b.SiteId, b.Family));
                }
            }
        }

        /// <summary>Adds a freed block; evicts the oldest when the ring is full or over its byte budget (at most one per call).</summary>
        public void Quarantine(nint address, in TrackedBlock block, ref Evicted evicted)
        {
            if (_quarantined == QuarantineCapacity || (_quarantined > 0 && _bytes + (long)block.Size > QuarantineBytes))
            {
                evicted = EvictOldest();
            }

            if ((long)block.Size > QuarantineBytes)
            {
                // Too big to hold back: given back at once (by the caller, after the evicted one); not remembered.
                Remove(address);
                evicted = evicted.Address == 0 ? new Evicted(address, block.Family, 0, 0) : evicted with { SecondAddress = address, SecondFamily = block.Family };
                return;
            }

            _ring[(_head + _quarantined) % QuarantineCapacity] = (address, block.Family, block.Size);
            _quarantined++;
            _bytes += (long)block.Size;
        }

        private Evicted EvictOldest()
        {
            (nint address, AllocationFamily family, nuint size) = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) % QuarantineCapacity;
            _quarantined--;
            _bytes -= (long)size;
            Remove(address);
            return new Evicted(address, family, 0, 0);
        }

        /// <summary>Middle bits of the address's hash (the top ones chose the stripe).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Start(nint address, int mask) => (int)((((ulong)address >> 4) * 0x9E3779B97F4A7C15UL) >> 24) & mask;

        /// <summary>Rebuilds the table without tombstones, doubling it while it would be over half full.</summary>
        private void Rehash()
        {
            int capacity = _keys.Length;
            while ((_count + 1) * 2 > capacity)
            {
                capacity *= 2;
            }

            nint[] oldKeys = _keys;
            TrackedEntry[] oldEntries = _entries;
            _keys = new nint[capacity];
            _entries = new TrackedEntry[capacity];
            _count = 0;
            _used = 0;
            for (int i = 0; i < oldKeys.Length; i++)
            {
                if (oldKeys[i] != 0 && oldKeys[i] != Tombstone)
                {
                    Set(oldKeys[i], oldEntries[i]);
                }
            }
        }
    }
}

/// <summary>A tracked system block: its allocation id, requested size, allocation site and family.</summary>
internal readonly record struct TrackedBlock(long AllocationId, nuint Size, int SiteId, AllocationFamily Family);

internal enum TrackedState : byte
{
    Unknown = 0,
    Live = 1,

    /// <summary>Freed by the program, held back from the system until the quarantine evicts it.</summary>
    Quarantined = 2,
}

internal struct TrackedEntry(TrackedBlock block, TrackedState state)
{
    public TrackedBlock Block = block;
    public TrackedState State = state;
}

/// <summary>Up to two blocks to give back to the system, each with the family whose free function owns it (0 = none).</summary>
internal readonly record struct Evicted(nint Address, AllocationFamily Family, nint SecondAddress, AllocationFamily SecondFamily);
