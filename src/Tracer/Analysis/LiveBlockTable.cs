using System.Numerics;
using System.Runtime.CompilerServices;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// The live blocks, keyed by allocation id, in 16 bytes each: open addressing with Robin Hood linear probing and
/// backward-shift deletion (no tombstone slots, so alloc/free churn never degrades it; a lookup or delete stops as
/// soon as the run cannot hold the id). A thread hands out ids in order, so eight consecutive ids share their home
/// slots (two cache lines), the groups are spread by Fibonacci hashing, and the next group's slots are prefetched
/// when a group begins (bench/README.md has the measurements that chose this).
/// The value packs the block's size (39 bits), whether it came from a rundown (1 bit) and the index of its
/// (site, family) account (24 bits); the rare block that does not fit — 512 GiB or more, or an account index past
/// 16 M — keeps its fields in a side dictionary. The table grows at 3/4 full and shrinks to half full when it falls
/// below 1/16, so it costs 21–43 bytes per live block while growing (measured in bench/). Id 0 ("no block" on the
/// wire) has a slot of its own.
/// </summary>
internal sealed class LiveBlockTable
{
    private const int MinCapacity = 1024;
    private const int SizeBits = 39;
    private const int AccountBits = 24;
    private const ulong SizeMask = (1UL << SizeBits) - 1;
    private const ulong RundownBit = 1UL << SizeBits;
    private const int AccountShift = SizeBits + 1;
    private const ulong AccountMask = (1UL << AccountBits) - 1;

    /// <summary>log2 of the number of consecutive ids whose home slots are consecutive.</summary>
    private const int GroupBits = 3;

    /// <summary>A packed value that means "look in <see cref="_wide"/>".</summary>
    private const ulong Wide = ulong.MaxValue;

    private Entry[] _entries;
    private int _mask;
    private int _shift;
    private int _count;
    private bool _hasZero;
    private ulong _zeroValue;
    private readonly Dictionary<long, WideBlock> _wide = new();

    public LiveBlockTable()
    {
        _entries = new Entry[MinCapacity];
        SetCapacity(MinCapacity);
    }

    public int Count => _count + (_hasZero ? 1 : 0);

    /// <summary>Slots allocated (a power of two).</summary>
    public int Capacity => _entries.Length;

    /// <summary>Bytes held by the table itself (its slot array; the side dictionary is normally empty).</summary>
    public long MemoryBytes => ((long)_entries.Length * Unsafe.SizeOf<Entry>()) + (_wide.Count * 48L);

    /// <summary>Adds a block; false (and nothing changes) when the id is already live.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(long id, long size, int account, bool fromRundown)
    {
        if (id == 0)
        {
            if (_hasZero)
            {
                return false;
            }

            _hasZero = true;
            _zeroValue = Pack(id, size, account, fromRundown);
            return true;
        }

        if (_count >= (_entries.Length >> 2) * 3)
        {
            Resize(_entries.Length * 2);
        }

        Entry[] entries = _entries;
        int mask = _mask;
        PrefetchNextGroup(entries, id);
        int i = Home(id);
        int distance = 0;
        while (true)
        {
            long resident = entries[i].Id;
            if (resident == 0)
            {
                entries[i] = new Entry { Id = id, Value = Pack(id, size, account, fromRundown) };
                _count++;
                return true;
            }

            if (resident == id)
            {
                return false;
            }

            if (((i - Home(resident)) & mask) < distance)
            {
                // A richer resident: the id is not in the table (it would have been placed before it). Insert here.
                Displace(i, new Entry { Id = id, Value = Pack(id, size, account, fromRundown) });
                _count++;
                return true;
            }

            i = (i + 1) & mask;
            distance++;
        }
    }

    /// <summary>Removes a live block and returns what it was; false when the id is not live.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Remove(long id, out long size, out int account, out bool fromRundown)
    {
        ulong value;
        if (id == 0)
        {
            if (!_hasZero)
            {
                (size, account, fromRundown) = (0, 0, false);
                return false;
            }

            _hasZero = false;
            value = _zeroValue;
        }
        else
        {
            int i = Find(id);
            if (i < 0)
            {
                (size, account, fromRundown) = (0, 0, false);
                return false;
            }

            Entry[] entries = _entries;
            value = entries[i].Value;

            // Backward shift: pull the rest of the run one slot closer to home, up to an empty slot or a resident at home.
            int mask = _mask;
            int next = (i + 1) & mask;
            while (entries[next].Id != 0 && ((next - Home(entries[next].Id)) & mask) != 0)
            {
                entries[i] = entries[next];
                i = next;
                next = (next + 1) & mask;
            }

            entries[i] = default;
            _count--;
            if (_count < (entries.Length >> 4) && entries.Length > MinCapacity)
            {
                Resize(Math.Max(MinCapacity, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, _count * 2))));
            }
        }

        Unpack(id, value, out size, out account, out fromRundown);
        if (value == Wide)
        {
            _wide.Remove(id);
        }

        return true;
    }

    /// <summary>
    /// When <paramref name="id"/> is live from a rundown record, marks it as known from its allocation record and
    /// returns its size and account; false when it is not live or not from a rundown.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryClaimFromRundown(long id, out long size, out int account)
    {
        ref ulong value = ref _zeroValue;
        if (id != 0)
        {
            int i = Find(id);
            if (i < 0)
            {
                (size, account) = (0, 0);
                return false;
            }

            value = ref _entries[i].Value;
        }
        else if (!_hasZero)
        {
            (size, account) = (0, 0);
            return false;
        }

        Unpack(id, value, out size, out account, out bool fromRundown);
        if (!fromRundown)
        {
            return false;
        }

        value = Pack(id, size, account, fromRundown: false);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGet(long id, out long size, out int account, out bool fromRundown)
    {
        ulong value;
        if (id == 0)
        {
            value = _zeroValue;
            if (!_hasZero)
            {
                (size, account, fromRundown) = (0, 0, false);
                return false;
            }
        }
        else
        {
            int i = Find(id);
            if (i < 0)
            {
                (size, account, fromRundown) = (0, 0, false);
                return false;
            }

            value = _entries[i].Value;
        }

        Unpack(id, value, out size, out account, out fromRundown);
        return true;
    }

    public bool Contains(long id) => id == 0 ? _hasZero : Find(id) >= 0;

    /// <summary>The ids of the live blocks not known from a rundown record (one pass over the slots).</summary>
    public HashSet<long> AllocatedIds()
    {
        var ids = new HashSet<long>();
        if (_hasZero && (_zeroValue & RundownBit) == 0 && _zeroValue != Wide)
        {
            ids.Add(0);
        }

        foreach (Entry entry in _entries)
        {
            if (entry.Id == 0)
            {
                continue;
            }

            Unpack(entry.Id, entry.Value, out _, out _, out bool fromRundown);
            if (!fromRundown)
            {
                ids.Add(entry.Id);
            }
        }

        return ids;
    }

    /// <summary>The slot of a nonzero id, or -1. Robin Hood order: stop at an empty slot or a resident nearer its home than the id would be.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Find(long id)
    {
        Entry[] entries = _entries;
        int mask = _mask;
        PrefetchNextGroup(entries, id);
        int i = Home(id);
        int distance = 0;
        while (true)
        {
            long resident = entries[i].Id;
            if (resident == id)
            {
                return i;
            }

            if (resident == 0 || ((i - Home(resident)) & mask) < distance)
            {
                return -1;
            }

            i = (i + 1) & mask;
            distance++;
        }
    }

    /// <summary>Places <paramref name="carried"/> at slot <paramref name="i"/> and pushes the residents it displaces further along, richest out first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Displace(int i, Entry carried)
    {
        Entry[] entries = _entries;
        int mask = _mask;
        int distance = (i - Home(carried.Id)) & mask;
        while (true)
        {
            if (entries[i].Id == 0)
            {
                entries[i] = carried;
                return;
            }

            int residentDistance = (i - Home(entries[i].Id)) & mask;
            if (residentDistance < distance)
            {
                (entries[i], carried) = (carried, entries[i]);
                distance = residentDistance;
            }

            i = (i + 1) & mask;
            distance++;
        }
    }

    /// <summary>
    /// A thread allocates (and often frees) its ids in order: at the first id of a group, fetch the next group's home
    /// slots, so the cache miss is paid while the records of this group are processed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void PrefetchNextGroup(Entry[] entries, long id)
    {
        if ((id & ((1L << GroupBits) - 1)) == 0 && System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref entries[Home(id + (1L << GroupBits))]));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(long id) =>
        (int)((((ulong)id >> GroupBits) * 0x9E3779B97F4A7C15UL) >> _shift << GroupBits | ((ulong)id & ((1UL << GroupBits) - 1)));

    private void SetCapacity(int capacity)
    {
        _mask = capacity - 1;
        _shift = 64 - BitOperations.Log2((uint)capacity) + GroupBits;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Resize(int capacity)
    {
        Entry[] old = _entries;
        _entries = new Entry[capacity];
        SetCapacity(capacity);
        foreach (Entry entry in old)
        {
            if (entry.Id != 0)
            {
                int i = Home(entry.Id);
                Displace(i, entry);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Pack(long id, long size, int account, bool fromRundown)
    {
        if ((ulong)size >= SizeMask || (uint)account >= AccountMask)
        {
            _wide[id] = new WideBlock(size, account, fromRundown);
            return Wide;
        }

        return (ulong)size | (fromRundown ? RundownBit : 0) | ((ulong)account << AccountShift);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Unpack(long id, ulong value, out long size, out int account, out bool fromRundown)
    {
        if (value == Wide && _wide.TryGetValue(id, out WideBlock wide))
        {
            (size, account, fromRundown) = (wide.Size, wide.Account, wide.FromRundown);
            return;
        }

        size = (long)(value & SizeMask);
        fromRundown = (value & RundownBit) != 0;
        account = (int)(value >> AccountShift);
    }

    private struct Entry
    {
        public long Id;
        public ulong Value;
    }

    private readonly record struct WideBlock(long Size, int Account, bool FromRundown);
}
