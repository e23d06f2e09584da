using System.Numerics;
using System.Runtime.CompilerServices;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// The live blocks, keyed by allocation id, in 16 bytes each: an open-addressing table with linear probing,
/// Fibonacci hashing and backward-shift deletion (no tombstone slots, so alloc/free churn never degrades it).
/// The value packs the block's size (39 bits), whether it came from a rundown (1 bit) and the index of its
/// (site, family) account (24 bits); the rare block that does not fit — 512 GiB or more, or an account index
/// past 16 M — keeps its fields in a side dictionary. Grows at 3/4 full and shrinks below 1/8, so a table
/// costs 21–43 bytes per live block (measured in bench/). Id 0 ("no block" on the wire) has a slot of its own.
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
        _mask = MinCapacity - 1;
        _shift = 64 - BitOperations.Log2(MinCapacity);
    }

    public int Count => _count + (_hasZero ? 1 : 0);

    /// <summary>Slots allocated (a power of two).</summary>
    public int Capacity => _entries.Length;

    /// <summary>Bytes held by the table itself (its slot array; the side dictionary is normally empty).</summary>
    public long MemoryBytes => ((long)_entries.Length * Unsafe.SizeOf<Entry>()) + (_wide.Count * 48L);

    /// <summary>Adds a block; false (and nothing changes) when the id is already live.</summary>
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
        int i = Home(id);
        while (true)
        {
            ref Entry slot = ref entries[i];
            if (slot.Id == 0)
            {
                slot.Id = id;
                slot.Value = Pack(id, size, account, fromRundown);
                _count++;
                return true;
            }

            if (slot.Id == id)
            {
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    /// <summary>Removes a live block and returns what it was; false when the id is not live.</summary>
    public bool Remove(long id, out long size, out int account, out bool fromRundown)
    {
        ulong value;
        if (id == 0)
        {
            if (!_hasZero)
            {
                size = 0;
                account = 0;
                fromRundown = false;
                return false;
            }

            _hasZero = false;
            value = _zeroValue;
        }
        else
        {
            Entry[] entries = _entries;
            int mask = _mask;
            int i = Home(id);
            while (true)
            {
                ref Entry slot = ref entries[i];
                if (slot.Id == id)
                {
                    value = slot.Value;
                    break;
                }

                if (slot.Id == 0)
                {
                    size = 0;
                    account = 0;
                    fromRundown = false;
                    return false;
                }

                i = (i + 1) & mask;
            }

            ShiftBack(i);
            _count--;
            if (_count < (_entries.Length >> 3) && _entries.Length > MinCapacity)
            {
                Resize(_entries.Length >> 1);
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
    public bool TryClaimFromRundown(long id, out long size, out int account)
    {
        if (id == 0)
        {
            Unpack(id, _zeroValue, out size, out account, out bool zeroFromRundown);
            if (!_hasZero || !zeroFromRundown)
            {
                return false;
            }

            _zeroValue = Pack(id, size, account, fromRundown: false);
            return true;
        }

        Entry[] entries = _entries;
        int i = Home(id);
        while (entries[i].Id != 0)
        {
            if (entries[i].Id == id)
            {
                Unpack(id, entries[i].Value, out size, out account, out bool fromRundown);
                if (!fromRundown)
                {
                    return false;
                }

                entries[i].Value = Pack(id, size, account, fromRundown: false);
                return true;
            }

            i = (i + 1) & _mask;
        }

        size = 0;
        account = 0;
        return false;
    }

    public bool TryGet(long id, out long size, out int account, out bool fromRundown)
    {
        if (Find(id, out ulong value))
        {
            Unpack(id, value, out size, out account, out fromRundown);
            return true;
        }

        size = 0;
        account = 0;
        fromRundown = false;
        return false;
    }

    public bool Contains(long id) => Find(id, out _);

    private bool Find(long id, out ulong value)
    {
        if (id == 0)
        {
            value = _zeroValue;
            return _hasZero;
        }

        Entry[] entries = _entries;
        int mask = _mask;
        int i = Home(id);
        while (true)
        {
            ref Entry slot = ref entries[i];
            if (slot.Id == id)
            {
                value = slot.Value;
                return true;
            }

            if (slot.Id == 0)
            {
                value = 0;
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(long id) => (int)(((ulong)id * 0x9E3779B97F4A7C15UL) >> _shift);

    /// <summary>Backward-shift deletion: pull later members of the probe run into the hole so no run is broken.</summary>
    private void ShiftBack(int hole)
    {
        Entry[] entries = _entries;
        int mask = _mask;
        int j = hole;
        while (true)
        {
            j = (j + 1) & mask;
            long id = entries[j].Id;
            if (id == 0)
            {
                break;
            }

            int home = Home(id);

            // The entry at j may fill the hole when the hole lies on its probe path (from its home up to j).
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                entries[hole] = entries[j];
                hole = j;
            }
        }

        entries[hole] = default;
    }

    private void Resize(int capacity)
    {
        Entry[] old = _entries;
        _entries = new Entry[capacity];
        _mask = capacity - 1;
        _shift = 64 - BitOperations.Log2((uint)capacity);
        foreach (Entry entry in old)
        {
            if (entry.Id != 0)
            {
                int i = Home(entry.Id);
                while (_entries[i].Id != 0)
                {
                    i = (i + 1) & _mask;
                }

                _entries[i] = entry;
            }
        }
    }

    private ulong Pack(long id, long size, int account, bool fromRundown)
    {
        if ((ulong)size >= SizeMask || (uint)account >= AccountMask)
        {
            _wide[id] = new WideBlock(size, account, fromRundown);
            return Wide;
        }

        return (ulong)size | (fromRundown ? RundownBit : 0) | ((ulong)account << AccountShift);
    }

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
