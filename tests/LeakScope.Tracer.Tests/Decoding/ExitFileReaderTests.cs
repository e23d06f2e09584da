using System.Buffers.Binary;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Decoding;

/// <summary>The exit file (docs/exit-file.md) goes through the same decoder as the stream, then its final heartbeat.</summary>
public class ExitFileReaderTests
{
    /// <summary>magic, format, batch sections, the final heartbeat, the end marker — as the allocator writes it.</summary>
    internal static byte[] ExitFile(int format, IEnumerable<byte[]> batches, Heartbeat? heartbeat, bool end = true)
    {
        using var file = new MemoryStream();
        file.Write(LeakScope.Wire.ExitFileLayout.Magic);
        file.Write(Int32(format));
        foreach (byte[] batch in batches)
        {
            file.WriteByte(1);
            file.Write(Int32(batch.Length));
            file.Write(batch);
        }

        if (heartbeat is { } h)
        {
            // Tag 2: version 1 (raw and pool only, as older allocators write it); tag 3: version 2, the tracked families after Flags.
            file.WriteByte(h.Tracked.Count == 0 ? (byte)2 : (byte)3);
            foreach (long value in new[] { h.Sequence, h.Raw.LiveBlocks, h.Raw.LiveBytes, h.Raw.Allocations, h.Raw.Frees, h.Pool.LiveBlocks, h.Pool.LiveBytes, h.Pool.Allocations, h.Pool.Frees, h.MisuseCount })
            {
                var bytes = new byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
                file.Write(bytes);
            }

            file.Write(Int32((int)h.Flags));
            foreach (FamilyCounts c in h.Tracked.Select(t => t.Value))
            {
                foreach (long value in new[] { c.LiveBlocks, c.LiveBytes, c.Allocations, c.Frees })
                {
                    var bytes = new byte[8];
                    BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
                    file.Write(bytes);
                }
            }
        }

        if (end)
        {
            file.WriteByte(0);
        }

        return file.ToArray();
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static readonly Heartbeat Final = new(7, new FamilyCounts(1, 48, 3, 2), new FamilyCounts(0, 0, 10, 10), 0, HeartbeatFlags.Final);

    private static byte[] Complete() => ExitFile(
        2,
        [BatchPayload.Records().Header(1, 4).Alloc(5, 48, 2, 1).Bytes(), BatchPayload.Records().Header(1, 5).Free(4).Fold(3, 2, 10, 640).Bytes()],
        Final);

    [Fact]
    public void A_version_2_heartbeat_section_brings_the_tracked_families_counts()
    {
        Heartbeat final = Final with
        {
            Tracked =
            [
                new(HeapFamily.Native, new FamilyCounts(1, 100, 2, 1)), new(HeapFamily.Aligned, new FamilyCounts(0, 0, 1, 1)),
                new(HeapFamily.HGlobal, new FamilyCounts(3, 192, 4, 1)), new(HeapFamily.CoTaskMem, new FamilyCounts(1, 300, 1, 0)),
            ],
        };
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        ExitFileStatus status = ExitFileReader.Read(ExitFile(2, [], final), decoder);

        Assert.Equal(ExitFileStatus.Read, status);
        Assert.Equal(final, Assert.Single(sink.Records));
        Assert.Equal(4, ((Heartbeat)sink.Records[0]).Tracked.Count);
    }

    [Fact]
    public void Batches_then_the_final_heartbeat_reach_the_sink()
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        ExitFileStatus status = ExitFileReader.Read(Complete(), decoder);

        Assert.Equal(ExitFileStatus.Read, status);
        Assert.Equal(
            new object[]
            {
                new BlockAllocated(new AllocationId(5), 0, 48, new SiteId(2), HeapFamily.Raw),
                new BlockFreed(new AllocationId(4), 0, 0, default, HeapFamily.Unknown),
                new AllocationsFolded(new SiteId(3), HeapFamily.Pool, 10, 640),
                Final,
            },
            sink.Records);
        Assert.Equal(0, decoder.Statistics.Undecodable);
        Assert.True(ExitFileReader.IsComplete(Complete()));
    }

    [Fact]
    public void An_empty_file_is_a_target_that_wrote_none()
    {
        var decoder = new RecordDecoder(new RecordCapture());
        Assert.Equal(ExitFileStatus.Empty, ExitFileReader.Read([], decoder));
        Assert.Equal(0, decoder.Statistics.Undecodable);
        Assert.False(ExitFileReader.IsComplete([]));
    }

    [Fact]
    public void A_file_cut_anywhere_is_malformed_and_counted()
    {
        byte[] whole = Complete();
        for (int cut = 1; cut < whole.Length; cut++)
        {
            var decoder = new RecordDecoder(new RecordCapture());

            ExitFileStatus status = ExitFileReader.Read(whole[..cut], decoder);

            Assert.Equal(ExitFileStatus.Malformed, status);
            Assert.Equal(1, decoder.Statistics.MalformedExitFiles);
            Assert.True(decoder.Statistics.Undecodable >= 1);
            Assert.False(ExitFileReader.IsComplete(whole[..cut]));
        }
    }

    [Theory]
    [InlineData("wrong magic")]
    [InlineData("unknown section")]
    [InlineData("batch longer than the file")]
    public void A_file_that_is_not_an_exit_file_is_malformed(string what)
    {
        byte[] file = Complete();
        switch (what)
        {
            case "wrong magic":
                file[0] = (byte)'X';
                break;
            case "unknown section":
                file[12] = 9;
                break;
            default:
                BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(13), 1 << 20);
                break;
        }

        Assert.Equal(ExitFileStatus.Malformed, ExitFileReader.Read(file, new RecordDecoder(new RecordCapture())));
    }

    [Fact]
    public void Batches_the_stream_already_delivered_are_skipped()
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);
        decoder.DecodeBatch(2, BatchPayload.Records().Header(1, 4).Alloc(5, 48, 2, 1).Bytes());

        ExitFileReader.Read(Complete(), decoder);

        Assert.Equal(1, decoder.Statistics.ReplayedBatches);
        Assert.Single(sink.Records, r => r is BlockAllocated);
    }

    [Fact]
    public void A_newer_record_format_is_refused()
    {
        byte[] file = ExitFile(3, [BatchPayload.Records().Free(1).Bytes()], Final);
        Assert.Throws<UnsupportedSchemaVersionException>(() => ExitFileReader.Read(file, new RecordDecoder(new RecordCapture())));
    }
}
