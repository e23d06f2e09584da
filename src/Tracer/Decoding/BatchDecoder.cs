using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LeakScope.Tracer.Events;
using LeakScope.Wire;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// Decodes the compact records of the high-rate mode (layout: <see cref="BatchFormat"/> in src/Wire, prose:
/// docs/batch-format.md) straight from the bytes into
/// <see cref="ITraceRecordSink"/> calls: no allocation, no copy, one pass. A record that is cut short or
/// carries an unknown tag makes the rest of the batch unreadable (records have no length prefix to resync
/// on): decoding stops there and the caller counts the batch as malformed. Records before that point have
/// already reached the sink. The batch header (tag 5) is read by <see cref="ReadHeader"/>, never here.
/// </summary>
internal static class BatchDecoder
{
    /// <summary>The newest record format this tracer reads (the <c>FormatVersion</c> field of <c>AllocationBatch</c>).</summary>
    public const int SupportedFormatVersion = BatchFormat.FormatVersion;

    private const byte Allocated = BatchFormat.Allocated;
    private const byte Freed = BatchFormat.Freed;
    private const byte Reallocated = BatchFormat.Reallocated;
    private const byte Folded = BatchFormat.Folded;
    private const byte Header = BatchFormat.Header;

    /// <summary>
    /// Reads the <c>[5][writer:v][sequence:v]</c> header a batch starts with since format 2. Returns its length,
    /// 0 when the batch has none (format 1), or -1 when it is malformed.
    /// </summary>
    public static int ReadHeader(ReadOnlySpan<byte> records, out long writer, out long sequence)
    {
        writer = 0;
        sequence = 0;
        if (records.IsEmpty || records[0] != Header)
        {
            return 0;
        }

        ref byte start = ref MemoryMarshal.GetReference(records);
        int p = 1;
        if (!TryReadVarint(ref start, records.Length, ref p, out ulong w) || w > long.MaxValue
            || !TryReadVarint(ref start, records.Length, ref p, out ulong s) || s > long.MaxValue)
        {
            return -1;
        }

        writer = (long)w;
        sequence = (long)s;
        return p;
    }

    /// <summary>Decodes every record of <paramref name="records"/>. Returns false when the batch is malformed; <paramref name="decoded"/> counts the records delivered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Decode(ReadOnlySpan<byte> records, ITraceRecordSink sink, out int decoded)
    {
        ref byte start = ref MemoryMarshal.GetReference(records);
        int end = records.Length;
        int pos = 0;
        decoded = 0;
        while (pos < end)
        {
            switch (Unsafe.Add(ref start, pos))
            {
                case Allocated:
                {
                    // [1][id:8][size:v][site:v][family:1]
                    int p = pos + 9;
                    if (p > end
                        || !TryReadVarint(ref start, end, ref p, out ulong size) || size > (ulong)PayloadReader.MaxBlockSize
                        || !TryReadVarint(ref start, end, ref p, out ulong site) || site > int.MaxValue
                        || p >= end)
                    {
                        return false;
                    }

                    long id = ReadInt64(ref Unsafe.Add(ref start, pos + 1));
                    var family = (HeapFamily)Unsafe.Add(ref start, p);
                    pos = p + 1;
                    sink.On(new BlockAllocated(new AllocationId(id), 0, (long)size, new SiteId((int)site), family));
                    break;
                }

                case Freed:
                {
                    // [2][id:8] — the engine knows the block's size, site and family from its allocation.
                    if (pos + 9 > end)
                    {
                        return false;
                    }

                    long id = ReadInt64(ref Unsafe.Add(ref start, pos + 1));
                    pos += 9;
                    sink.On(new BlockFreed(new AllocationId(id), 0, 0, default, HeapFamily.Unknown));
                    break;
                }

                case Reallocated:
                {
                    // [3][oldId:8][newId:8][newSize:v][site:v][newFamily:1]
                    int p = pos + 17;
                    if (p > end
                        || !TryReadVarint(ref start, end, ref p, out ulong size) || size > (ulong)PayloadReader.MaxBlockSize
                        || !TryReadVarint(ref start, end, ref p, out ulong site) || site > int.MaxValue
                        || p >= end)
                    {
                        return false;
                    }

                    long oldId = ReadInt64(ref Unsafe.Add(ref start, pos + 1));
                    long newId = ReadInt64(ref Unsafe.Add(ref start, pos + 9));
                    var family = (HeapFamily)Unsafe.Add(ref start, p);
                    pos = p + 1;
                    sink.On(new BlockReallocated(new AllocationId(oldId), 0, 0, HeapFamily.Unknown, new AllocationId(newId), 0, (long)size, family, new SiteId((int)site)));
                    break;
                }

                case Folded:
                {
                    // [4][site:v][family:1][count:v][bytes:v]
                    int p = pos + 1;
                    if (!TryReadVarint(ref start, end, ref p, out ulong site) || site > int.MaxValue || p >= end)
                    {
                        return false;
                    }

                    var family = (HeapFamily)Unsafe.Add(ref start, p);
                    p++;
                    if (!TryReadVarint(ref start, end, ref p, out ulong count) || count > long.MaxValue
                        || !TryReadVarint(ref start, end, ref p, out ulong bytes) || bytes > long.MaxValue)
                    {
                        return false;
                    }

                    pos = p;
                    sink.On(new AllocationsFolded(new SiteId((int)site), family, (long)count, (long)bytes));
                    break;
                }

                default:
                    return false;
            }

            decoded++;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ReadInt64(ref byte at)
    {
        long value = Unsafe.ReadUnaligned<long>(ref at);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>Unsigned LEB128, at most 10 bytes; false when it runs past <paramref name="end"/> or overflows 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadVarint(ref byte start, int end, ref int pos, out ulong value)
    {
        if (pos < end)
        {
            byte b = Unsafe.Add(ref start, pos);
            if (b < 0x80)
            {
                pos++;
                value = b;
                return true;
            }
        }

        return TryReadLongVarint(ref start, end, ref pos, out value);
    }

    private static bool TryReadLongVarint(ref byte start, int end, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= end)
            {
                return false;
            }

            byte b = Unsafe.Add(ref start, pos++);
            if (shift == 63 && b > 1)
            {
                return false; // more than 64 bits
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
