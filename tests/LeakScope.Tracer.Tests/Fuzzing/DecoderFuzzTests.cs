using System.Buffers.Binary;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;
using LeakScope.Wire;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// <see cref="RecordDecoder"/> fed random and damaged payloads for every event id and version. The only exception it
/// may throw is the documented <see cref="UnsupportedSchemaVersionException"/>, for a known event of a newer version;
/// everything else is decoded or counted (truncated, unknown id, EventSource error) — never dropped silently.
/// </summary>
public class DecoderFuzzTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>One valid record of every event the decoder knows, with its strings and extreme values.</summary>
    private static readonly object[] Samples =
    [
        new SiteDefined(new SiteId(7), "/src/Program.cs", 42, "Main"),
        new SiteDefined(new SiteId(int.MaxValue), string.Empty, -1, string.Empty),
        new BlockAllocated(new AllocationId(11), 0x1000, 80, new SiteId(7), HeapFamily.Pool),
        new BlockAllocated(new AllocationId(long.MaxValue), -1, PayloadReader.MaxBlockSize, new SiteId(-1), (HeapFamily)255),
        new BlockFreed(new AllocationId(11), 0x1000, 80, new SiteId(8), HeapFamily.Pool),
        new BlockReallocated(new AllocationId(11), 0x1000, 80, HeapFamily.Raw, new AllocationId(12), 0x2000, 900, HeapFamily.Raw, new SiteId(9)),
        new MisuseReported(MisuseKind.MismatchedFree, HeapFamily.Raw, HeapFamily.Pool, new AllocationId(11), 0x1000, 64, new SiteId(9), new SiteId(7)),
        new RundownStarted(3),
        new RundownBlock(new AllocationId(11), 0x1000, 0, new SiteId(7), HeapFamily.Raw),
        new RundownStopped(3, 5, 400),
        new Heartbeat(4, new FamilyCounts(1, 2, 3, 4), new FamilyCounts(5, 6, 7, 8), 9, HeartbeatFlags.Final)
        {
            Tracked =
            [
                new(HeapFamily.Native, new FamilyCounts(11, 12, 13, 14)), new(HeapFamily.Aligned, new FamilyCounts(21, 22, 23, 24)),
                new(HeapFamily.HGlobal, new FamilyCounts(31, 32, 33, 34)), new(HeapFamily.CoTaskMem, new FamilyCounts(41, 42, 43, 44)),
            ],
        },
        new DetachFlushed(77, 12),
        new ViewAcquired(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View),
        new ViewReleased(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.Pin),
        new ResizeBlocked(new OwnerId(50), new SiteId(4), 128, 3),
        new ResizeBlockedView(new OwnerId(50), new ViewId(60), new SiteId(2)),
        new ViewLeaked(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.Strided),
        new OwnerCreated(new OwnerId(50), OwnerKind.NativeBuffer, new SiteId(1), new AllocationId(100)),
        new OwnerDisposed(new OwnerId(50), OwnerKind.NativeArray, new SiteId(6), new AllocationId(100)),
        new OwnerFinalized(new OwnerId(50), OwnerKind.NativeArray, new SiteId(1), new AllocationId(100), 400, HeapFamily.Pool),
        new StackSampled(StackOperation.Allocate, StackReason.Sampled, new AllocationId(11), 80, new SiteId(7), 4096, -1),
    ];

    public static TheoryData<int> SampleIndexes
    {
        get
        {
            var data = new TheoryData<int>();
            for (int i = 0; i < Samples.Length; i++)
            {
                data.Add(i);
            }

            return data;
        }
    }

    [Fact]
    public void The_samples_cover_every_known_event_id()
    {
        // AllocationBatch carries records, not fields: the random-payload loop below feeds it (ids 0–31).
        int[] known = Enumerable.Range(0, 64).Where(id => RecordDecoder.IsKnown(id) && id != BatchEvents.AllocationBatch).ToArray();
        Assert.Equal(known, Samples.Select(s => WireEncoder.Encode(s).EventId).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Every_truncation_of_a_valid_payload_is_counted_and_the_whole_payload_decodes(int sample)
    {
        WireEvent e = WireEncoder.Encode(Samples[sample]);
        for (int length = 0; length < e.Payload.Length; length++)
        {
            var sink = new CountingSink();
            var decoder = new RecordDecoder(sink);
            decoder.Decode(e.EventId, e.Version, e.Payload.AsSpan(0, length));
            Assert.True(sink.Records == 0 && decoder.Statistics.Truncated == 1, $"{AllocatorSchema.NameOf(e.EventId)} cut to {length} of {e.Payload.Length} bytes was not counted as truncated");
        }

        var whole = new CountingSink();
        new RecordDecoder(whole).Decode(e.EventId, e.Version, e.Payload);
        Assert.Equal(Samples[sample], whole.Last);
    }

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Every_older_or_current_version_decodes_and_every_newer_one_is_refused_by_name(int sample)
    {
        WireEvent e = WireEncoder.Encode(Samples[sample]);
        int current = RecordDecoder.SupportedVersionOf(e.EventId);

        // An older version of an event that has grown has a shorter layout than this payload (its own decoder tests cover it).
        foreach (int version in current == 1 ? new[] { 0, current } : new[] { current })
        {
            var sink = new CountingSink();
            new RecordDecoder(sink).Decode(e.EventId, version, e.Payload);
            Assert.Equal(Samples[sample], sink.Last);
        }

        foreach (int version in new[] { current + 1, 255, int.MaxValue })
        {
            var decoder = new RecordDecoder(new CountingSink());
            var refused = Assert.Throws<UnsupportedSchemaVersionException>(() => decoder.Decode(e.EventId, version, e.Payload));
            Assert.Equal((e.EventId, version, current), (refused.EventId, refused.TraceVersion, refused.SupportedVersion));
            Assert.Contains(AllocatorSchema.NameOf(e.EventId), refused.Message, StringComparison.Ordinal);
            Assert.Equal(0, decoder.Statistics.Decoded + decoder.Statistics.Undecodable);
        }
    }

    [Fact]
    public void Random_payloads_for_every_id_and_version_are_decoded_counted_or_refused()
    {
        int[] ids = [.. Enumerable.Range(0, 32), 255, 1000, -1, int.MaxValue, int.MinValue];
        FuzzSeeds.Run("decoder-random", 4000, Bound, seed =>
        {
            var rng = new Random(seed);
            var sink = new CountingSink();
            var decoder = new RecordDecoder(sink);
            long fed = 0, batches = 0;
            for (int i = 0; i < 40; i++)
            {
                int id = rng.Next(4) == 0 ? rng.Next() : ids[rng.Next(ids.Length)];
                batches += id == BatchEvents.AllocationBatch ? 1 : 0;
                int version = rng.Next(10) switch
                {
                    0 => RecordDecoder.SupportedVersion + 1,
                    1 => rng.Next(),
                    2 => -rng.Next(1, 100),
                    < 6 => 0,
                    _ => RecordDecoder.SupportedVersion,
                };
                byte[] payload = RandomPayload(rng, id);
                DecodeOne(seed, decoder, id, version, payload, ref fed);
            }

            AssertAccounted(seed, decoder, sink, fed, batches);
        });
    }

    [Fact]
    public void Damaged_valid_payloads_are_decoded_or_counted_never_thrown()
    {
        FuzzSeeds.Run("decoder-damaged", 4000, Bound, seed =>
        {
            var rng = new Random(seed);
            var sink = new CountingSink();
            var decoder = new RecordDecoder(sink);
            long fed = 0;
            for (int i = 0; i < 40; i++)
            {
                WireEvent e = WireEncoder.Encode(Samples[rng.Next(Samples.Length)]);
                byte[] payload = e.Payload.ToArray();
                switch (rng.Next(5))
                {
                    case 0:
                        payload[rng.Next(payload.Length)] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 1:
                        payload = [.. payload, .. RandomBytes(rng, rng.Next(1, 9))];
                        break;
                    case 2:
                        payload = payload[..rng.Next(payload.Length)];
                        break;
                    case 3:
                        // A string field whose terminator is gone or whose units are lone surrogates.
                        foreach (WireField text in e.Fields.Where(f => f.Role == FieldRole.Text))
                        {
                            for (int at = text.Offset; at + 1 < payload.Length && rng.Next(3) != 0; at += 2)
                            {
                                BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(at), (ushort)rng.Next(0xD800, 0xE000));
                            }
                        }

                        break;
                    default:
                        WireField[] sizes = e.Fields.Where(f => f.Role is FieldRole.Size or FieldRole.Id or FieldRole.Site or FieldRole.Family or FieldRole.Kind).ToArray();
                        if (sizes.Length > 0)
                        {
                            WireField field = sizes[rng.Next(sizes.Length)];
                            RandomBytes(rng, field.Width).CopyTo(payload, field.Offset);
                        }

                        break;
                }

                DecodeOne(seed, decoder, e.EventId, rng.Next(2), payload, ref fed);
            }

            AssertAccounted(seed, decoder, sink, fed, batches: 0);
        });
    }

    private static void DecodeOne(int seed, RecordDecoder decoder, int id, int version, byte[] payload, ref long fed)
    {
        bool newer = RecordDecoder.IsKnown(id) && version > RecordDecoder.SupportedVersionOf(id);
        try
        {
            decoder.Decode(id, version, payload);
            fed++;
            if (newer)
            {
                Assert.Fail($"{FuzzSeeds.Reproduce(seed)}: event {id} version {version} was not refused");
            }
        }
        catch (UnsupportedSchemaVersionException e) when (newer)
        {
            Assert.Equal((id, version), (e.EventId, e.TraceVersion));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{FuzzSeeds.Reproduce(seed)}: event {id} version {version} payload {Convert.ToHexString(payload)} threw {e}");
        }
    }

    /// <summary>Every event fed is decoded or counted as undecodable, and the sink saw every decoded one (batches aside: see <see cref="BatchEvents"/>).</summary>
    private static void AssertAccounted(int seed, RecordDecoder decoder, CountingSink sink, long fed, long batches)
    {
        DecoderStatistics s = decoder.Statistics;
        long counted = s.Decoded + s.Undecodable;
        Assert.True(counted <= fed && fed - counted <= batches, $"{FuzzSeeds.Reproduce(seed)}: {fed} events fed ({batches} batches), {s.Decoded} decoded + {s.Undecodable} undecodable");
        Assert.True(batches > 0 || sink.Records == s.Decoded, $"{FuzzSeeds.Reproduce(seed)}: {s.Decoded} decoded but the sink got {sink.Records}");
        Assert.True(s.SourceErrorMessages.Count <= 5, $"{FuzzSeeds.Reproduce(seed)}: {s.SourceErrorMessages.Count} source error messages kept");
    }

    private static byte[] RandomPayload(Random rng, int id)
    {
        // Mostly near the real sizes of the event, sometimes empty or long; strings for SiteDefined and id 0.
        int length = rng.Next(6) switch
        {
            0 => 0,
            1 => rng.Next(1, 8),
            2 => rng.Next(100, 400),
            _ => rng.Next(8, 90),
        };
        byte[] payload = RandomBytes(rng, length);
        if (id is 0 or WireSchema.EventIds.SiteDefined && length > 6 && rng.Next(2) == 0)
        {
            payload[^1] = 0;
            payload[^2] = 0;
        }

        return payload;
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        byte[] bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }
}
