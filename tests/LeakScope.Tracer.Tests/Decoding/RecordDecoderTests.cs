using System.Text;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Decoding;

public class RecordDecoderTests
{
    /// <summary>Builds a payload field by field, as EventSource's WriteEventCore lays it out (little-endian, UTF-16 strings with a NUL).</summary>
    private static byte[] Payload(params object[] fields)
    {
        using var buffer = new MemoryStream();
        using var w = new BinaryWriter(buffer);
        foreach (object field in fields)
        {
            switch (field)
            {
                case long l: w.Write(l); break;
                case int i: w.Write(i); break;
                case byte b: w.Write(b); break;
                case string s: w.Write(Encoding.Unicode.GetBytes(s + "\0")); break;
                default: throw new ArgumentException(field.GetType().Name);
            }
        }

        w.Flush();
        return buffer.ToArray();
    }

    public static TheoryData<int, byte[], object> Events => new()
    {
        { 1, Payload(7, "/src/Program.cs", 42, "Main", 15, 4), new SiteDefined(new SiteId(7), "/src/Program.cs", 42, "Main") },
        { 2, Payload(11L, 0x1000L, 80L, 7, (byte)2), new BlockAllocated(new AllocationId(11), 0x1000, 80, new SiteId(7), HeapFamily.Pool) },
        { 3, Payload(11L, 0x1000L, 80L, 8, (byte)2), new BlockFreed(new AllocationId(11), 0x1000, 80, new SiteId(8), HeapFamily.Pool) },
        { 4, Payload(11L, 0x1000L, 80L, (byte)1, 12L, 0x2000L, 900L, (byte)1, 9), new BlockReallocated(new AllocationId(11), 0x1000, 80, HeapFamily.Raw, new AllocationId(12), 0x2000, 900, HeapFamily.Raw, new SiteId(9)) },
        { 5, Payload((byte)1, (byte)1, (byte)2, 11L, 0x1000L, 64L, 9, 7), new MisuseReported(MisuseKind.MismatchedFree, HeapFamily.Raw, HeapFamily.Pool, new AllocationId(11), 0x1000, 64, new SiteId(9), new SiteId(7)) },
        { 6, Payload(3L), new RundownStarted(3) },
        { 7, Payload(11L, 0x1000L, 80L, 7, (byte)2), new RundownBlock(new AllocationId(11), 0x1000, 80, new SiteId(7), HeapFamily.Pool) },
        { 8, Payload(3L, 5L, 400L), new RundownStopped(3, 5, 400) },
        {
            9, Payload(4L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 1, 11L, 12L, 13L, 14L, 21L, 22L, 23L, 24L, 31L, 32L, 33L, 34L, 41L, 42L, 43L, 44L),
            new Heartbeat(4, new FamilyCounts(1, 2, 3, 4), new FamilyCounts(5, 6, 7, 8), 9, HeartbeatFlags.Final)
            {
                Tracked =
                [
                    new(HeapFamily.Native, new FamilyCounts(11, 12, 13, 14)), new(HeapFamily.Aligned, new FamilyCounts(21, 22, 23, 24)),
                    new(HeapFamily.HGlobal, new FamilyCounts(31, 32, 33, 34)), new(HeapFamily.CoTaskMem, new FamilyCounts(41, 42, 43, 44)),
                ],
            }
        },
        { 11, Payload(77L, 12L), new DetachFlushed(77, 12) },
        { 20, Payload(60L, 50L, 2, (byte)1), new ViewAcquired(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View) },
        { 21, Payload(60L, 50L, 2, (byte)2), new ViewReleased(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.Pin) },
        { 22, Payload(50L, 4, 128L, 3), new ResizeBlocked(new OwnerId(50), new SiteId(4), 128, 3) },
        { 23, Payload(50L, 60L, 2), new ResizeBlockedView(new OwnerId(50), new ViewId(60), new SiteId(2)) },
        { 24, Payload(60L, 50L, 2, (byte)3), new ViewLeaked(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.Strided) },
        { 25, Payload(50L, (byte)2, 1, 100L), new OwnerCreated(new OwnerId(50), OwnerKind.NativeBuffer, new SiteId(1), new AllocationId(100)) },
        { 26, Payload(50L, (byte)1, 6, 100L), new OwnerDisposed(new OwnerId(50), OwnerKind.NativeArray, new SiteId(6), new AllocationId(100)) },
        { 27, Payload(50L, (byte)1, 1, 100L, 400L, (byte)2), new OwnerFinalized(new OwnerId(50), OwnerKind.NativeArray, new SiteId(1), new AllocationId(100), 400, HeapFamily.Pool) },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_known_event_decodes_to_its_typed_record(int eventId, byte[] payload, object expected)
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(eventId, RecordDecoder.SupportedVersionOf(eventId), payload);

        Assert.Equal(expected, Assert.Single(sink.Records));
        Assert.Equal(1, decoder.Statistics.Decoded);
        Assert.Equal(0, decoder.Statistics.Undecodable);
    }

    [Fact]
    public void A_version_1_heartbeat_still_decodes_with_raw_and_pool_only()
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(9, 1, Payload(4L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 1));

        var heartbeat = (Heartbeat)Assert.Single(sink.Records);
        Assert.Equal(new Heartbeat(4, new FamilyCounts(1, 2, 3, 4), new FamilyCounts(5, 6, 7, 8), 9, HeartbeatFlags.Final), heartbeat);
        Assert.Empty(heartbeat.Tracked);
        Assert.Equal(0, decoder.Statistics.Undecodable);
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void A_truncated_payload_is_counted_not_decoded(int eventId, byte[] payload, object expected)
    {
        _ = expected;
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(eventId, RecordDecoder.SupportedVersionOf(eventId), payload.AsSpan(0, payload.Length - 1));

        Assert.Empty(sink.Records);
        Assert.Equal(1, decoder.Statistics.Truncated);
        Assert.Equal(1, decoder.Statistics.Undecodable);
    }

    /// <summary>A payload longer than its schema was written with other field types than declared (an int32 written as an int64): counted, not misread.</summary>
    [Theory]
    [MemberData(nameof(Events))]
    public void A_payload_longer_than_its_schema_is_counted_not_decoded(int eventId, byte[] payload, object expected)
    {
        _ = expected;
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(eventId, RecordDecoder.SupportedVersionOf(eventId), [.. payload, 0, 0, 0, 0]);

        Assert.Empty(sink.Records);
        Assert.Equal(1, decoder.Statistics.Truncated);
    }

    [Fact]
    public void ResizeBlockedView_written_with_an_int64_site_as_it_was_is_counted_not_decoded()
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(23, 1, Payload(50L, 60L, 2L));

        Assert.Empty(sink.Records);
        Assert.Equal(1, decoder.Statistics.Undecodable);
    }

    [Theory]
    [InlineData("/src/a\0b.cs", "M\0x")]
    [InlineData("\0", "\0\0")]
    [InlineData("/src/\u001B0.cs", "\u001B")]
    [InlineData("", "")]
    public void A_site_string_with_a_NUL_or_the_escape_character_comes_back_as_written(string file, string member)
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(1, 2, Payload(7, LeakScope.Wire.SiteString.Encode(file), 42, LeakScope.Wire.SiteString.Encode(member), file.Length, member.Length));

        Assert.Equal(new SiteDefined(new SiteId(7), file, 42, member), Assert.Single(sink.Records));
        Assert.Equal((1L, 0L, 0L), (decoder.Statistics.Decoded, decoder.Statistics.Undecodable, decoder.Statistics.CutSiteStrings));
    }

    [Fact]
    public void A_site_string_longer_than_the_wire_carries_arrives_cut_with_a_marker_and_is_counted()
    {
        string file = "/src/" + new string('d', 100_000) + ".cs";
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(1, 2, Payload(7, LeakScope.Wire.SiteString.Encode(file), 42, "Main", file.Length, 4));

        var site = (SiteDefined)Assert.Single(sink.Records);
        int kept = LeakScope.Wire.SiteString.MaxEncodedChars;
        Assert.Equal(file[..kept] + LeakScope.Wire.SiteString.TruncationMarker(kept, file.Length), site.File);
        Assert.Contains($"{kept} of {file.Length} characters", site.File, StringComparison.Ordinal);
        Assert.Equal((42, "Main"), (site.Line, site.Member));
        Assert.Equal((1L, 0L), (decoder.Statistics.CutSiteStrings, decoder.Statistics.Undecodable));
    }

    [Theory]
    [InlineData("a\u001B", 2)]
    [InlineData("a\u001Bx", 2)]
    [InlineData("abc", 2)]
    [InlineData("abc", -1)]
    public void A_site_string_the_allocator_cannot_have_written_is_counted(string encoded, int length)
    {
        var sink = new RecordCapture();
        var decoder = new RecordDecoder(sink);

        decoder.Decode(1, 2, Payload(7, encoded, 42, "Main", length, 4));

        Assert.Empty(sink.Records);
        Assert.Equal(1, decoder.Statistics.Truncated);
    }

    [Fact]
    public void A_version_1_site_is_read_as_it_was_written()
    {
        var sink = new RecordCapture();
        new RecordDecoder(sink).Decode(1, 1, Payload(7, "/src/\u001B.cs", 42, "Main"));
        Assert.Equal(new SiteDefined(new SiteId(7), "/src/\u001B.cs", 42, "Main"), Assert.Single(sink.Records));
    }

    [Fact]
    public void Older_versions_are_read()
    {
        var sink = new RecordCapture();
        new RecordDecoder(sink).Decode(6, 0, Payload(1L));
        Assert.Single(sink.Records);
    }

    [Fact]
    public void A_newer_schema_version_is_refused_naming_both_versions()
    {
        var decoder = new RecordDecoder(new RecordCapture());

        var e = Assert.Throws<UnsupportedSchemaVersionException>(() => decoder.Decode(2, 2, Payload(11L, 0x1000L, 80L, 7, (byte)2, 99L)));

        Assert.Equal((2, 1), (e.TraceVersion, e.SupportedVersion));
        Assert.Contains("BlockAllocated (id 2) has schema version 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("reads versions up to 1", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<TracerException>(e);
    }

    [Fact]
    public void Unknown_ids_and_eventsource_errors_are_counted_by_kind()
    {
        var decoder = new RecordDecoder(new RecordCapture());

        decoder.Decode(12, 1, Payload(1L)); // a batched-mode event this tracer does not know yet
        decoder.Decode(12, 1, Payload(1L));
        decoder.Decode(0, 0, Payload("EventSourceException while processing event"));

        Assert.Equal(2, decoder.Statistics.UnknownIds[12]);
        Assert.Equal(1, decoder.Statistics.SourceErrors);
        Assert.Equal("EventSourceException while processing event", Assert.Single(decoder.Statistics.SourceErrorMessages));
        Assert.Equal(3, decoder.Statistics.Undecodable);
    }

    [Fact]
    public void The_provider_guid_is_the_one_eventsource_derives_from_the_name()
    {
        using var source = new System.Diagnostics.Tracing.EventSource(AllocatorSchema.ProviderName);
        Assert.Equal(source.Guid, AllocatorSchema.ProviderGuid);
    }
}
