using System.Buffers.Binary;

namespace LeakScope.Tracer.Tests.Decoding;

/// <summary>Builds batch records by hand, byte by byte, as docs/batch-format.md lays them out.</summary>
internal sealed class BatchPayload
{
    private readonly List<byte> _bytes = new();

    public static BatchPayload Records() => new();

    public BatchPayload Header(long writer, long sequence) => Byte(5).Varint((ulong)writer).Varint((ulong)sequence);

    public BatchPayload Alloc(long id, long size, int site, byte family) => Byte(1).Id(id).Varint((ulong)size).Varint((uint)site).Byte(family);

    public BatchPayload Free(long id) => Byte(2).Id(id);

    public BatchPayload Realloc(long oldId, long newId, long size, int site, byte family) =>
        Byte(3).Id(oldId).Id(newId).Varint((ulong)size).Varint((uint)site).Byte(family);

    public BatchPayload Fold(int site, byte family, long count, long bytes) => Byte(4).Varint((uint)site).Byte(family).Varint((ulong)count).Varint((ulong)bytes);

    public BatchPayload Byte(byte b)
    {
        _bytes.Add(b);
        return this;
    }

    public BatchPayload Id(long id)
    {
        var buffer = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, id);
        _bytes.AddRange(buffer);
        return this;
    }

    public BatchPayload Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        _bytes.Add((byte)value);
        return this;
    }

    public byte[] Bytes() => _bytes.ToArray();

    /// <summary>The <c>AllocationBatch</c> event payload: int32 format version, int32 length, the records.</summary>
    public byte[] Event(int formatVersion = 2) => EventOf(Bytes(), formatVersion);

    public static byte[] EventOf(byte[] records, int formatVersion = 2, int? length = null)
    {
        var payload = new byte[8 + records.Length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, formatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), length ?? records.Length);
        records.CopyTo(payload, 8);
        return payload;
    }
}
