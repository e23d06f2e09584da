using System.Buffers.Binary;

namespace LeakScope.TracerBench;

/// <summary>
/// Writes AllocationBatch event payloads as the allocator does (docs/batch-format.md, format 2): int32 format version,
/// int32 length, then a header record and compact records, cut into batches of at most 32 KB like the allocator's buffers.
/// </summary>
internal sealed class BatchBuilder
{
    private const int Capacity = 32 * 1024;
    private readonly List<byte[]> _payloads = new();
    private readonly byte[] _records = new byte[Capacity + 64];
    private readonly int _writer;
    private int _length;
    private long _sequence;

    public BatchBuilder(int writer) => _writer = writer;

    public long Records { get; private set; }

    public void Allocated(long id, long size, int site, byte family)
    {
        Room();
        _records[_length++] = 1;
        Id(id);
        Varint((ulong)size);
        Varint((uint)site);
        _records[_length++] = family;
        Records++;
    }

    public void Freed(long id)
    {
        Room();
        _records[_length++] = 2;
        Id(id);
        Records++;
    }

    public void Reallocated(long oldId, long newId, long size, int site, byte family)
    {
        Room();
        _records[_length++] = 3;
        Id(oldId);
        Id(newId);
        Varint((ulong)size);
        Varint((uint)site);
        _records[_length++] = family;
        Records++;
    }

    public void Folded(int site, byte family, long count, long bytes)
    {
        Room();
        _records[_length++] = 4;
        Varint((uint)site);
        _records[_length++] = family;
        Varint((ulong)count);
        Varint((ulong)bytes);
        Records++;
    }

    public List<byte[]> Finish()
    {
        Flush();
        return _payloads;
    }

    private void Room()
    {
        if (_length + 40 > Capacity)
        {
            Flush();
        }
    }

    private void Flush()
    {
        if (_length == 0)
        {
            return;
        }

        var header = new byte[32];
        int h = 0;
        header[h++] = 5;
        h = Varint(header, h, (uint)_writer);
        h = Varint(header, h, (ulong)++_sequence);
        var payload = new byte[8 + h + _length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, 2);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), h + _length);
        header.AsSpan(0, h).CopyTo(payload.AsSpan(8));
        _records.AsSpan(0, _length).CopyTo(payload.AsSpan(8 + h));
        _payloads.Add(payload);
        _length = 0;
    }

    private void Id(long id)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_records.AsSpan(_length), id);
        _length += 8;
    }

    private void Varint(ulong value) => _length = Varint(_records, _length, value);

    private static int Varint(byte[] into, int at, ulong value)
    {
        while (value >= 0x80)
        {
            into[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        into[at++] = (byte)value;
        return at;
    }
}
