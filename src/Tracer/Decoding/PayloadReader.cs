using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// Reads an event payload field by field, little-endian as EventPipe writes it. A read past the end sets
/// <see cref="Failed"/> instead of throwing, so a truncated event is counted, not fatal.
/// </summary>
internal ref struct PayloadReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _offset;

    /// <summary>
    /// The largest block size a record may carry: 256 TiB, beyond any allocation a 64-bit process can make. A size is a
    /// <c>nuint</c> the allocator handed out, so a negative or larger value can only come from a corrupt payload.
    /// </summary>
    public const long MaxBlockSize = 1L << 48;

    public bool Failed { get; private set; }

    /// <summary>True when every byte of the payload has been read: a payload longer than its schema did not come from it.</summary>
    public readonly bool AtEnd => _offset == _payload.Length;

    public long Int64()
    {
        if (!Has(8))
        {
            return 0;
        }

        long value = BinaryPrimitives.ReadInt64LittleEndian(_payload[_offset..]);
        _offset += 8;
        return value;
    }

    /// <summary>A block size (<see cref="Int64"/>); outside 0..<see cref="MaxBlockSize"/> it sets <see cref="Failed"/>, so a corrupt size is counted instead of reaching the account.</summary>
    public long Size()
    {
        long value = Int64();
        if (value is < 0 or > MaxBlockSize)
        {
            Failed = true;
        }

        return value;
    }

    public int Int32()
    {
        if (!Has(4))
        {
            return 0;
        }

        int value = BinaryPrimitives.ReadInt32LittleEndian(_payload[_offset..]);
        _offset += 4;
        return value;
    }

    public byte Byte()
    {
        if (!Has(1))
        {
            return 0;
        }

        return _payload[_offset++];
    }

    /// <summary>A NUL-terminated UTF-16 string, as EventSource writes <c>string</c> fields.</summary>
    public string Utf16String()
    {
        ReadOnlySpan<char> chars = MemoryMarshal.Cast<byte, char>(_payload[_offset..][..((_payload.Length - _offset) & ~1)]);
        int end = chars.IndexOf('\0');
        if (end < 0)
        {
            Failed = true;
            return string.Empty;
        }

        _offset += (end + 1) * 2;
        return new string(chars[..end]);
    }

    private bool Has(int bytes)
    {
        if (_offset + bytes <= _payload.Length)
        {
            return true;
        }

        Failed = true;
        return false;
    }
}
