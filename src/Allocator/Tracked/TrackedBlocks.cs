using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        lock (stripe.Gate)
        {
            ref TrackedEntry entry = ref CollectionsMarshal.GetValueRefOrAddDefault(stripe.Entries, address, out _);
            entry = new TrackedEntry(block, TrackedState.Live);
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
        lock (stripe.Gate)
        {
            ref TrackedEntry entry = ref CollectionsMarshal.GetValueRefOrNullRef(stripe.Entries, address);
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
    }

    /// <summary>Takes a live block out of the table for good (a realloc about to move it, or <c>Forget</c>).</summary>
    public static bool TryTake(nint address, long allocationId, out TrackedBlock block)
    {
        Stripe stripe = StripeOf(address);
        lock (stripe.Gate)
        {
            ref TrackedEntry entry = ref CollectionsMarshal.GetValueRefOrNullRef(stripe.Entries, address);
            if (Unsafe.IsNullRef(ref entry) || entry.State != TrackedState.Live || (allocationId != 0 && entry.Block.AllocationId != allocationId))
            {
                block = default;
                return false;
            }

            block = entry.Block;
            stripe.Entries.Remove(address);
            return true;
        }
    }

    /// <summary>What the table knows about an address.</summary>
    public static TrackedState Find(nint address, out TrackedBlock block)
    {
        Stripe stripe = StripeOf(address);
        lock (stripe.Gate)
        {
            if (stripe.Entries.TryGetValue(address, out TrackedEntry entry))
            {
                block = entry.Block;
                return entry.State;
            }
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
            lock (stripe.Gate)
            {
                foreach (KeyValuePair<nint, TrackedEntry> pair in stripe.Entries)
                {
                    if (pair.Value.State == TrackedState.Live)
                    {
                        TrackedBlock b = pair.Value.Block;
                        live.Add(new LiveBlock(b.AllocationId, pair.Key, b.Size, b.SiteId, b.Family));
                    }
                }
            }
        }

        return live;
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

    /// <summary>One stripe: its blocks by address (live and quarantined) and its quarantine ring, under one lock.</summary>
    private sealed class Stripe
    {
        public readonly Lock Gate = new();
        public readonly Dictionary<nint, TrackedEntry> Entries = new();
        private readonly (nint Address, AllocationFamily Family, nuint Size)[] _ring = new (nint, AllocationFamily, nuint)[QuarantineCapacity];
        private int _head;
        private int _count;
        private long _bytes;

        /// <summary>Adds a freed block; evicts the oldest when the ring is full or over its byte budget (at most one per call).</summary>
        public void Quarantine(nint address, in TrackedBlock block, ref Evicted evicted)
        {
            if (_count == QuarantineCapacity || (_count > 0 && _bytes + (long)block.Size > QuarantineBytes))
            {
                evicted = EvictOldest();
            }

            if ((long)block.Size > QuarantineBytes)
            {
                // Too big to hold back: given back at once (by the caller, after the evicted one); not remembered.
                Entries.Remove(address);
                evicted = evicted.Address == 0 ? new Evicted(address, block.Family, 0, 0) : evicted with { SecondAddress = address, SecondFamily = block.Family };
                return;
            }

            _ring[(_head + _count) % QuarantineCapacity] = (address, block.Family, block.Size);
            _count++;
            _bytes += (long)block.Size;
        }

        private Evicted EvictOldest()
        {
            (nint address, AllocationFamily family, nuint size) = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) % QuarantineCapacity;
            _count--;
            _bytes -= (long)size;
            Entries.Remove(address);
            return new Evicted(address, family, 0, 0);
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
