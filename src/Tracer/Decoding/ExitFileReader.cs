using System.Buffers.Binary;
using LeakScope.Tracer.Analysis;
using LeakScope.Wire;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// Reads an exit file (layout: <see cref="ExitFileLayout"/> in src/Wire, prose: docs/exit-file.md) into the same <see cref="RecordDecoder"/> as the live stream: its batch
/// sections through <see cref="RecordDecoder.DecodeBatch"/>, then its final heartbeat. Sections up to a fault are
/// delivered; a fault makes the file <see cref="ExitFileStatus.Malformed"/> and is counted as undecodable.
/// </summary>
public static class ExitFileReader
{
    /// <summary>The first 8 bytes of an exit file.</summary>
    public static ReadOnlySpan<byte> Magic => ExitFileLayout.Magic;

    private const byte EndSection = ExitFileLayout.EndSection;
    private const byte BatchSection = ExitFileLayout.BatchSection;
    private const byte HeartbeatSection = ExitFileLayout.HeartbeatSection;
    private const byte HeartbeatNewestSection = ExitFileLayout.HeartbeatNewestSection;

    private static readonly int HeartbeatLength = ExitFileLayout.HeartbeatLength;

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
                case HeartbeatNewestSection:
                {
                    // Tag 2: version 1 (an older allocator: raw and pool only); tag 3: the newest version.
                    (int length, int version) = section == HeartbeatSection
                        ? (ExitFileLayout.HeartbeatVersion1Length, WireSchema.Versions.Initial)
                        : (HeartbeatLength, WireSchema.Versions.Heartbeat);
                    if (content.Length - pos < length)
                    {
                        return ExitFileStatus.Malformed;
                    }

                    ReadOnlySpan<byte> heartbeat = content.Slice(pos, length);
                    pos += length;
                    if (decoder is not null && !decoder.DeliverExitHeartbeat(heartbeat, version))
                    {
                        return ExitFileStatus.Malformed;
                    }

                    break;
                }

                default:
                    return ExitFileStatus.Malformed;
            }
        }

        return ExitFileStatus.Malformed; // no end marker: cut short
    }
}
