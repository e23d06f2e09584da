using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Decoding;

/// <summary><c>AllocationBatch</c> (id 10): hand-built payloads in, sink calls out; faults counted, never thrown, except a newer format.</summary>
public class BatchDecoderTests
{
    private const int AllocationBatch = 10;

    public static TheoryData<string, byte[], object> Records => new()
    {
        { "allocation", BatchPayload.Records().Alloc(11, 80, 7, 2).Bytes(), new BlockAllocated(new AllocationId(11), 0, 80, new SiteId(7), HeapFamily.Pool) },
        { "large allocation, multi-byte varints", BatchPayload.Records().Alloc(long.MaxValue, 1L << 40, 300_000, 1).Bytes(), new BlockAllocated(new AllocationId(long.MaxValue), 0, 1L << 40, new SiteId(300_000), HeapFamily.Raw) },
        { "free (only the id)", BatchPayload.Records().Free(11).Bytes(), new BlockFreed(new AllocationId(11), 0, 0, default, HeapFamily.Unknown) },
        { "realloc", BatchPayload.Records().Realloc(11, 12, 900, 9, 1).Bytes(), new BlockReallocated(new AllocationId(11), 0, 0, HeapFamily.Unknown, new AllocationId(12), 0, 900, HeapFamily.Raw, new SiteId(9)) },
        { "folded pairs", BatchPayload.Records().Fold(7, 2, 1_000_000, 64_000_000).Bytes(), new AllocationsFolded(new SiteId(7), HeapFamily.Pool, 1_000_000, 64_000_000) },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Every_record_decodes_to_its_sink_call(string what, byte[] records, object expected)
    {
        _ = what;
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(AllocationBatch, 1, BatchPayload.EventOf(records, formatVersion: 1));

        Assert.Equal(expected, Assert.Single(sink.Records));
        Assert.Equal((1, 1, 1, 0), (decoder.Statistics.Decoded, decoder.Statistics.Batches, decoder.Statistics.BatchRecords, decoder.Statistics.Undecodable));
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void A_record_cut_short_makes_the_batch_malformed_at_every_cut(string what, byte[] records, object expected)
    {
        _ = (what, expected);
        for (int cut = 1; cut < records.Length; cut++)
        {
            var sink = new RecordCapture();
            var decoder = new RecordDecoder(sink);

            decoder.Decode(AllocationBatch, 1, BatchPayload.EventOf(records[..cut]));

            Assert.Empty(sink.Records);
            Assert.Equal(1, decoder.Statistics.MalformedBatches);
            Assert.Equal(1, decoder.Statistics.Undecodable);
            Assert.Equal(0, decoder.Statistics.Decoded);
        }
    }

    [Fact]
    public void Records_of_one_batch_arrive_in_order_after_the_header()
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);
        byte[] payload = BatchPayload.Records().Header(3, 1)
            .Alloc(1, 16, 1, 2).Alloc(2, 600, 2, 1).Free(1).Realloc(2, 3, 1200, 4, 1).Fold(1, 2, 5, 80)
            .Event();

        decoder.Decode(AllocationBatch, 1, payload);

        Assert.Equal(
            new object[]
            {
                new BlockAllocated(new AllocationId(1), 0, 16, new SiteId(1), HeapFamily.Pool),
                new BlockAllocated(new AllocationId(2), 0, 600, new SiteId(2), HeapFamily.Raw),
                new BlockFreed(new AllocationId(1), 0, 0, default, HeapFamily.Unknown),
                new BlockReallocated(new AllocationId(2), 0, 0, HeapFamily.Unknown, new AllocationId(3), 0, 1200, HeapFamily.Raw, new SiteId(4)),
                new AllocationsFolded(new SiteId(1), HeapFamily.Pool, 5, 80),
            },
            sink.Records);
        Assert.Equal(5, decoder.Statistics.BatchRecords);
    }

    [Fact]
    public void A_fault_mid_batch_keeps_the_records_before_it_and_counts_the_batch()
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);
        byte[] records = BatchPayload.Records().Alloc(1, 16, 1, 2).Free(1).Byte(9).Alloc(2, 16, 1, 2).Bytes();

        decoder.Decode(AllocationBatch, 1, BatchPayload.EventOf(records));

        Assert.Equal(2, sink.Records.Count);
        Assert.Equal(1, decoder.Statistics.MalformedBatches);
        Assert.Equal(2, decoder.Statistics.BatchRecords);
    }

    public static TheoryData<string, byte[]> MalformedEvents => new()
    {
        { "no header fields", new byte[] { 2, 0, 0 } },
        { "length past the payload", BatchPayload.EventOf(BatchPayload.Records().Free(1).Bytes(), length: 100) },
        { "negative length", BatchPayload.EventOf(BatchPayload.Records().Free(1).Bytes(), length: -1) },
        { "unknown tag", BatchPayload.Records().Byte(200).Event() },
        { "tag 0", BatchPayload.Records().Byte(0).Event() },
        { "a header in the middle", BatchPayload.Records().Free(1).Header(1, 2).Event() },
        { "header cut short", BatchPayload.Records().Byte(5).Byte(0x81).Event() },
        { "varint over 64 bits", BatchPayload.EventOf([1, 1, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2]) },
        { "varint that never ends", BatchPayload.EventOf([1, 1, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1, 1, 2]) },
        { "size over long.MaxValue", BatchPayload.Records().Byte(1).Id(1).Varint(ulong.MaxValue).Varint(1).Byte(2).Event() },
        { "site over int.MaxValue", BatchPayload.Records().Byte(1).Id(1).Varint(8).Varint((ulong)int.MaxValue + 1).Byte(2).Event() },
    };

    [Theory]
    [MemberData(nameof(MalformedEvents))]
    public void Malformed_batches_are_counted_not_thrown(string what, byte[] payload)
    {
        _ = what;
        var decoder = new RecordDecoder(new RecordCapture());

        decoder.Decode(AllocationBatch, 1, payload);

        Assert.Equal(1, decoder.Statistics.MalformedBatches);
        Assert.Equal(1, decoder.Statistics.Undecodable);
        Assert.Equal(0, decoder.Statistics.Decoded);
    }

    [Fact]
    public void An_empty_batch_is_well_formed()
    {
        var decoder = new RecordDecoder(new RecordCapture());
        decoder.Decode(AllocationBatch, 1, BatchPayload.Records().Header(1, 1).Event());
        Assert.Equal((1, 0L), (decoder.Statistics.Batches, decoder.Statistics.Undecodable));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_record_format_up_to_the_tracers_own_is_read(int formatVersion)
    {
        var sink = new RecordCapture();
        BatchPayload records = formatVersion >= 2 ? BatchPayload.Records().Header(1, 1) : BatchPayload.Records();
        new RecordDecoder(sink).Decode(AllocationBatch, 1, records.Alloc(1, 16, 1, 2).Event(formatVersion));
        Assert.Single(sink.Records);
    }

    [Fact]
    public void A_newer_record_format_is_refused_naming_both_versions()
    {
        var decoder = new RecordDecoder(new RecordCapture());

        var e = Assert.Throws<UnsupportedSchemaVersionException>(() => decoder.Decode(AllocationBatch, 1, BatchPayload.Records().Free(1).Event(formatVersion: 3)));

        Assert.Equal((3, 2), (e.TraceVersion, e.SupportedVersion));
        Assert.Contains("AllocationBatch (id 10) has batch record format version 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("reads versions up to 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_newer_event_version_is_refused_naming_both_versions()
    {
        var decoder = new RecordDecoder(new RecordCapture());
        var e = Assert.Throws<UnsupportedSchemaVersionException>(() => decoder.Decode(AllocationBatch, 2, BatchPayload.Records().Free(1).Event()));
        Assert.Contains("AllocationBatch (id 10) has schema version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_seen_before_is_skipped_and_gaps_in_a_writers_sequence_are_counted()
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);
        byte[] Batch(long writer, long sequence, long id) => BatchPayload.Records().Header(writer, sequence).Alloc(id, 16, 1, 2).Event();

        decoder.Decode(AllocationBatch, 1, Batch(1, 1, 100));
        decoder.Decode(AllocationBatch, 1, Batch(2, 1, 200));
        decoder.Decode(AllocationBatch, 1, Batch(1, 2, 101));
        decoder.Decode(AllocationBatch, 1, Batch(1, 5, 104)); // 3 and 4 never arrive
        decoder.Decode(AllocationBatch, 1, Batch(1, 2, 101)); // replayed by the exit file
        decoder.DecodeBatch(2, BatchPayload.Records().Header(2, 1).Alloc(200, 16, 1, 2).Bytes());

        Assert.Equal(4, sink.Records.Count);
        Assert.Equal(2, decoder.Statistics.ReplayedBatches);
        Assert.Equal(2, decoder.MissingBatches);

        decoder.Decode(AllocationBatch, 1, Batch(1, 3, 102)); // recovered (from the exit file's replay)
        Assert.Equal(1, decoder.MissingBatches);
        Assert.Equal(0, decoder.Statistics.Undecodable);
    }
}
