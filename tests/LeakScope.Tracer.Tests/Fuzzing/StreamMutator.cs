using System.Buffers.Binary;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// Applies seeded mutations to an encoded stream: drops (honestly counted as lost or not), duplicates, reorders,
/// truncation (a cut stream, or a file that simply ends), corrupted fields aimed by role (ids, sizes, families,
/// kinds, sites, counts, strings), and byte-level damage (cut, flipped, extended, emptied or random payloads,
/// unknown ids, EventSource error events, older and newer schema versions).
/// </summary>
internal static class StreamMutator
{
    private static readonly Mutation[] All = Enum.GetValues<Mutation>();

    private static readonly long[] InterestingLongs =
        [0, 1, -1, 2, 7, 64, 4096, -4096, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 1L << 40, 1L << 48, (1L << 48) + 1, 1L << 62];

    private static readonly int[] InterestingSites = [0, 1, 2, 3, 5, 22, 40, -1, int.MinValue, int.MaxValue, 1 << 20, (1 << 20) + 1, 1 << 24];

    private static readonly string[] InterestingTexts =
        [string.Empty, "x", "line\nbreak", "\u001b[31mred", "</script>", "\"quoted\\\"", "\uD800", "😀", new string('a', 3000)];

    public static MutatedStream Mutate(IReadOnlyList<WireEvent> events, Random rng, int count, bool reorderOnly = false)
    {
        var stream = new MutatedStream(events.ToList());
        for (int i = 0; i < count && stream.Events.Count > 0; i++)
        {
            if (reorderOnly)
            {
                MoveBlockRecord(stream, rng);
                continue;
            }

            Apply(stream, All[rng.Next(All.Length)], rng);
        }

        if (!reorderOnly && rng.Next(8) == 0)
        {
            stream.End = (StreamEnd)rng.Next(4);
            stream.Applied.Add($"end {stream.End}");
        }

        return stream;
    }

    public static void Apply(MutatedStream s, Mutation mutation, Random rng)
    {
        List<WireEvent> e = s.Events;
        int at = rng.Next(e.Count);
        string detail = string.Empty;
        switch (mutation)
        {
            case Mutation.DropOne:
                detail = Name(e[at]);
                e.RemoveAt(at);
                CountLoss(s, rng, 1);
                break;
            case Mutation.DropRange:
            {
                int length = Math.Min(e.Count - at, rng.Next(1, 40));
                e.RemoveRange(at, length);
                CountLoss(s, rng, length);
                detail = $"{length}";
                break;
            }

            case Mutation.Duplicate:
                detail = Name(e[at]);
                e.Insert(rng.Next(at, e.Count + 1), e[at]);
                break;
            case Mutation.DuplicateRange:
            {
                int length = Math.Min(e.Count - at, rng.Next(1, 20));
                e.InsertRange(at + length, e.GetRange(at, length));
                detail = $"{length}";
                break;
            }

            case Mutation.Move:
            {
                WireEvent moved = e[at];
                e.RemoveAt(at);
                int to = rng.Next(e.Count + 1);
                e.Insert(to, moved);
                detail = $"{Name(moved)} {at}→{to}";
                break;
            }

            case Mutation.SwapAdjacent:
                if (at + 1 < e.Count)
                {
                    (e[at], e[at + 1]) = (e[at + 1], e[at]);
                }

                break;
            case Mutation.ReverseRange:
                e.Reverse(at, Math.Min(e.Count - at, rng.Next(2, 30)));
                break;
            case Mutation.Truncate:
                e.RemoveRange(at, e.Count - at);

                // Usually a cut (the target died, the connection dropped); sometimes a file that simply ends.
                s.CleanEnd = rng.Next(4) == 0;
                detail = $"at {at}, clean end {s.CleanEnd}";
                break;
            case Mutation.CorruptId:
                detail = CorruptField(e, at, FieldRole.Id, rng);
                break;
            case Mutation.CorruptSize:
                detail = CorruptField(e, at, FieldRole.Size, rng);
                break;
            case Mutation.CorruptFamily:
                detail = CorruptField(e, at, FieldRole.Family, rng);
                break;
            case Mutation.CorruptKind:
                detail = CorruptField(e, at, FieldRole.Kind, rng);
                break;
            case Mutation.CorruptSite:
                detail = CorruptField(e, at, FieldRole.Site, rng);
                break;
            case Mutation.CorruptCount:
                detail = CorruptField(e, at, FieldRole.Count, rng);
                break;
            case Mutation.CorruptAddress:
                detail = CorruptField(e, at, FieldRole.Address, rng);
                break;
            case Mutation.CorruptText:
                detail = CorruptText(e, at, rng);
                break;
            case Mutation.CutPayload:
                detail = Name(e[at]);
                e[at] = e[at].WithPayload(e[at].Payload[..rng.Next(e[at].Payload.Length + 1)]);
                break;
            case Mutation.FlipBits:
            {
                byte[] payload = e[at].Payload.ToArray();
                for (int flips = rng.Next(1, 4); flips > 0 && payload.Length > 0; flips--)
                {
                    payload[rng.Next(payload.Length)] ^= (byte)(1 << rng.Next(8));
                }

                detail = Name(e[at]);
                e[at] = e[at].WithPayload(payload, e[at].Fields);
                break;
            }

            case Mutation.ExtendPayload:
            {
                byte[] extra = new byte[rng.Next(1, 32)];
                rng.NextBytes(extra);
                detail = Name(e[at]);
                e[at] = e[at].WithPayload([.. e[at].Payload, .. extra], e[at].Fields);
                break;
            }

            case Mutation.EmptyPayload:
                detail = Name(e[at]);
                e[at] = e[at].WithPayload([]);
                break;
            case Mutation.RandomPayload:
            {
                byte[] random = new byte[rng.Next(0, 96)];
                rng.NextBytes(random);
                detail = Name(e[at]);
                e[at] = e[at].WithPayload(random);
                break;
            }

            case Mutation.UnknownEventId:
            {
                int id = rng.Next(4) switch
                {
                    0 => rng.Next(10, 20), // the batched mode's range
                    1 => rng.Next(28, 300),
                    2 => -rng.Next(1, 1000),
                    _ => rng.Next(),
                };
                detail = $"{Name(e[at])} → id {id}";
                e[at] = e[at] with { EventId = id };

                // As an AllocationBatch, the payload's first four bytes are the batch format version: a value above
                // the tracer's is a (legitimately refused) newer format, like a newer event version.
                // Events are at different versions (SiteDefined is at 2): a re-numbered event may be newer than its new id's.
                byte[] payload = e[at].Payload;
                s.HasNewerVersion |= RecordDecoder.IsKnown(id) && e[at].Version > RecordDecoder.SupportedVersionOf(id);
                s.HasNewerVersion |= id == 10 && payload.Length >= 4
                    && System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(payload) > LeakScope.Tracer.Decoding.BatchDecoder.SupportedFormatVersion;
                break;
            }

            case Mutation.SourceError:
                e.Insert(at, WireEncoder.SourceError("EventSourceException: fuzz " + rng.Next()));
                break;
            case Mutation.OlderVersion:
                detail = Name(e[at]);
                e[at] = e[at] with { Version = 0 };
                break;
            case Mutation.NewerVersion:
            {
                int current = Math.Max(RecordDecoder.SupportedVersionOf(e[at].EventId), 1);
                int version = rng.Next(2) == 0 ? current + 1 : rng.Next(current + 1, int.MaxValue);
                detail = $"{Name(e[at])} v{version}";
                e[at] = e[at] with { Version = version };
                s.HasNewerVersion |= RecordDecoder.IsKnown(e[at].EventId);
                break;
            }
        }

        s.Applied.Add(detail.Length > 0 ? $"{mutation}({detail})" : mutation.ToString());
    }

    /// <summary>Moves one record of a block that no owner holds: cross-thread order, which must not matter.</summary>
    private static void MoveBlockRecord(MutatedStream s, Random rng)
    {
        List<WireEvent> e = s.Events;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            int from = rng.Next(e.Count);
            if (!e[from].Movable)
            {
                continue;
            }

            WireEvent moved = e[from];
            e.RemoveAt(from);
            int to = rng.Next(e.Count + 1);
            e.Insert(to, moved);
            s.Applied.Add($"Move({Name(moved)} {from}→{to})");
            return;
        }
    }

    private static void CountLoss(MutatedStream s, Random rng, int dropped)
    {
        // EventPipe counts what it drops from sequence numbers; a damaged file loses events silently.
        if (rng.Next(2) == 0)
        {
            s.EventsLost += dropped;
        }
    }

    private static string CorruptField(List<WireEvent> events, int start, FieldRole role, Random rng)
    {
        // The first event at or after start that has a field of this role.
        for (int n = 0; n < events.Count; n++)
        {
            int at = (start + n) % events.Count;
            WireEvent ev = events[at];
            WireField[] fields = ev.Fields.Where(f => f.Role == role && f.Offset + f.Width <= ev.Payload.Length).ToArray();
            if (fields.Length == 0)
            {
                continue;
            }

            WireField field = fields[rng.Next(fields.Length)];
            byte[] payload = ev.Payload.ToArray();
            Span<byte> target = payload.AsSpan(field.Offset, field.Width);
            string value;
            switch (field.Width)
            {
                case 8:
                {
                    long v = role == FieldRole.Id && rng.Next(2) == 0 ? rng.Next(1, 40) : InterestingLongs[rng.Next(InterestingLongs.Length)];
                    if (rng.Next(4) == 0)
                    {
                        v = rng.NextInt64(long.MinValue, long.MaxValue);
                    }

                    BinaryPrimitives.WriteInt64LittleEndian(target, v);
                    value = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                }

                case 4:
                {
                    int v = role == FieldRole.Site ? InterestingSites[rng.Next(InterestingSites.Length)] : (int)InterestingLongs[rng.Next(InterestingLongs.Length)];
                    BinaryPrimitives.WriteInt32LittleEndian(target, v);
                    value = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                }

                default:
                {
                    byte v = rng.Next(3) == 0 ? (byte)rng.Next(256) : (byte)rng.Next(0, 9);
                    target[0] = v;
                    value = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                }
            }

            events[at] = ev.WithPayload(payload, ev.Fields);
            return $"{Name(ev)} {role}={value}";
        }

        return "no such field";
    }

    private static string CorruptText(List<WireEvent> events, int start, Random rng)
    {
        for (int n = 0; n < events.Count; n++)
        {
            int at = (start + n) % events.Count;
            WireEvent ev = events[at];
            if (!ev.Fields.Any(f => f.Role == FieldRole.Text))
            {
                continue;
            }

            // Re-encode with one string replaced: the layout after it moves, so the field map is dropped.
            WireField text = ev.Fields.First(f => f.Role == FieldRole.Text);
            int end = text.Offset;
            while (end + 1 < ev.Payload.Length && (ev.Payload[end] != 0 || ev.Payload[end + 1] != 0))
            {
                end += 2;
            }

            string replacement = rng.Next(3) == 0 ? RandomText(rng) : InterestingTexts[rng.Next(InterestingTexts.Length)];
            byte[] payload = [.. ev.Payload[..text.Offset], .. System.Runtime.InteropServices.MemoryMarshal.AsBytes(replacement.AsSpan()).ToArray(), .. ev.Payload[Math.Min(end, ev.Payload.Length)..]];
            events[at] = ev.WithPayload(payload);
            return $"{Name(ev)} text";
        }

        return "no text";
    }

    private static string RandomText(Random rng)
    {
        var chars = new char[rng.Next(0, 40)];
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)rng.Next(1, 0x10000);
        }

        return new string(chars);
    }

    private static string Name(WireEvent e) => AllocatorSchema.NameOf(e.EventId);
}
