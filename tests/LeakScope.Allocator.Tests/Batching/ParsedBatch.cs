using System.Buffers.Binary;
using LeakScope.Allocator.Diagnostics.Batching;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>One published batch, read back: the header's (writer, sequence) and every record's (tag, id or site).</summary>
internal sealed record ParsedBatch(long Writer, long Sequence, List<(byte Tag, long Key)> Records)
{
    /// <summary>The pairs the batch's fold records count, summed over its sites.</summary>
    public long FoldedPairs { get; init; }

    /// <summary>Every fold record as written: site, family, pairs and bytes.</summary>
    public List<(long Site, AllocationFamily Family, long Count, long Bytes)> Folds { get; init; } = [];

    public static ParsedBatch Parse(byte[] batch)
    {
        int p = 0;
        Assert.Equal(BatchRecord.Header, batch[p++]);
        long writer = (long)Varint(batch, ref p);
        long sequence = (long)Varint(batch, ref p);
        var records = new List<(byte, long)>();
        long folded = 0;
        var folds = new List<(long, AllocationFamily, long, long)>();
        while (p < batch.Length)
        {
            byte tag = batch[p++];
            switch (tag)
            {
                case BatchRecord.Allocated:
                    records.Add((tag, BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p))));
                    p += 8;
                    Varint(batch, ref p);
                    Varint(batch, ref p);
                    p++;
                    break;
                case BatchRecord.Freed:
                    records.Add((tag, BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p))));
                    p += 8;
                    break;
                case BatchRecord.Reallocated:
                    records.Add((tag, BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p + 8))));
                    p += 16;
                    Varint(batch, ref p);
                    Varint(batch, ref p);
                    p++;
                    break;
                case BatchRecord.Folded:
                {
                    long site = (long)Varint(batch, ref p);
                    var family = (AllocationFamily)batch[p++];
                    long count = (long)Varint(batch, ref p);
                    long bytes = (long)Varint(batch, ref p);
                    records.Add((tag, site));
                    folds.Add((site, family, count, bytes));
                    folded += count;
                    break;
                }
                default:
                    throw new InvalidOperationException($"tag {tag}");
            }
        }

        return new ParsedBatch(writer, sequence, records) { FoldedPairs = folded, Folds = folds };
    }

    /// <summary>Reads one LEB128 varint of a batch at <paramref name="p"/> and moves past it.</summary>
    internal static ulong Varint(byte[] bytes, ref int p)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[p++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
