using System.Buffers.Binary;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// Reads an exit file (docs/exit-file.md) into the same <see cref="RecordDecoder"/> as the live stream: its batch
/// sections through <see cref="RecordDecoder.DecodeBatch"/>, then its final heartbeat. Sections up to a fault are
/// delivered; a fault makes the file <see cref="ExitFileStatus.Malformed"/> and is counted as undecodable.
/// </summary>
public static class ExitFileReader
{
    /// <summary>The first 8 bytes of an exit file.</summary>
    public static ReadOnlySpan<byte> Magic => "LSEXIT01"u8;

    private const byte EndSection = 0;
    private const byte BatchSection = 1;
    private const byte HeartbeatSection = 2;

    /// <summary>Sequence, 4 counts per family for two families, misuse count (all int64), flags (int32).</summary>
    private const int HeartbeatLength = 8 + (2 * 4 * 8) + 8 + 4;

    /// <summary>True when <paramref name="content"/> is a whole exit file (magic, well-formed sections, end marker): the writer is done.</summary>
    public static bool IsComplete(ReadOnlySpan<byte> content) => Walk(content, decoder: null) == ExitFileStatus.Read;

    /// <summary>Feeds the file's records to <paramref name="decoder"/>. An empty file is <see cref="ExitFileStatus.Empty"/>.</summary>
    public static ExitFileStatus Read(ReadOnlySpan<byte> content, RecordDecoder decoder)
    {
        ExitFileStatus status = Walk(content, decoder);
        if (status == ExitFileStatus.Malformed)
        {
            decoder.Statistics.MalformedExitFiles++;
        }

        return status;
    }

    private static ExitFileStatus Walk(ReadOnlySpan<byte> content, RecordDecoder? decoder)
    {
        if (content.IsEmpty)
        {
            return ExitFileStatus.Empty;
        }

        if (content.Length < Magic.Length + 4 || !content.StartsWith(Magic))
        {
            return ExitFileStatus.Malformed;
        }

        int formatVersion = BinaryPrimitives.ReadInt32LittleEndian(content[Magic.Length..]);
        int pos = Magic.Length + 4;
        while (pos < content.Length)
        {
            byte section = content[pos++];
            switch (section)
            {
                case EndSection:
                    return ExitFileStatus.Read;

                case BatchSection:
                {
                    if (content.Length - pos < 4)
                    {
                        return ExitFileStatus.Malformed;
                    }

                    int length = BinaryPrimitives.ReadInt32LittleEndian(content[pos..]);
                    pos += 4;
                    if (length < 0 || length > content.Length - pos)
                    {
                        return ExitFileStatus.Malformed;
                    }

                    decoder?.DecodeBatch(formatVersion, content.Slice(pos, length));
                    pos += length;
                    break;
                }

                case HeartbeatSection:
                {
                    if (content.Length - pos < HeartbeatLength)
                    {
                        return ExitFileStatus.Malformed;
                    }

                    ReadOnlySpan<byte> h = content.Slice(pos, HeartbeatLength);
                    pos += HeartbeatLength;
                    decoder?.Deliver(new Heartbeat(
                        Int64(h, 0),
                        new FamilyCounts(Int64(h, 1), Int64(h, 2), Int64(h, 3), Int64(h, 4)),
                        new FamilyCounts(Int64(h, 5), Int64(h, 6), Int64(h, 7), Int64(h, 8)),
                        Int64(h, 9),
                        (HeartbeatFlags)BinaryPrimitives.ReadInt32LittleEndian(h[80..])));
                    break;
                }

                default:
                    return ExitFileStatus.Malformed;
            }
        }

        return ExitFileStatus.Malformed; // no end marker: cut short
    }

    private static long Int64(ReadOnlySpan<byte> heartbeat, int index) => BinaryPrimitives.ReadInt64LittleEndian(heartbeat[(index * 8)..]);
}
