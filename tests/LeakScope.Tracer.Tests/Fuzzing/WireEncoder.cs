using System.Buffers.Binary;
using System.Text;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;
using LeakScope.Wire;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// Encodes typed records as the allocator's EventSource lays out their payloads. The layout — which fields, of which
/// type, in which order, at which version — is not written here but read from the wire schema (src/Wire) that the
/// allocator and <see cref="RecordDecoder"/> compile from; this file only says which record property feeds which field
/// and what role it plays for mutations. A record whose values do not fit its schema throws.
/// </summary>
internal static class WireEncoder
{
    public static WireEvent Encode(object record, bool movable = false)
    {
        (int id, (object Value, FieldRole Role)[] values) = record switch
        {
            SiteDefined r => (WireSchema.EventIds.SiteDefined, Site(r)),
            BlockAllocated r => (WireSchema.EventIds.BlockAllocated, Block(r.Id, r.Address, r.Size, r.Site, r.Family)),
            BlockFreed r => (WireSchema.EventIds.BlockFreed, Block(r.Id, r.Address, r.Size, r.FreeSite, r.Family)),
            RundownBlock r => (WireSchema.EventIds.RundownBlock, Block(r.Id, r.Address, r.Size, r.Site, r.Family)),
            BlockReallocated r => (WireSchema.EventIds.BlockReallocated,
            [
                (r.OldId.Value, FieldRole.Id), (r.OldAddress, FieldRole.Address), (r.OldSize, FieldRole.Size), ((byte)r.OldFamily, FieldRole.Family),
                (r.NewId.Value, FieldRole.Id), (r.NewAddress, FieldRole.Address), (r.NewSize, FieldRole.Size), ((byte)r.NewFamily, FieldRole.Family),
                (r.Site.Value, FieldRole.Site),
            ]),
            MisuseReported r => (WireSchema.EventIds.Misuse,
            [
                ((byte)r.Kind, FieldRole.Kind), ((byte)r.BlockFamily, FieldRole.Family), ((byte)r.CallerFamily, FieldRole.Family),
                (r.Id.Value, FieldRole.Id), (r.Address, FieldRole.Address), (r.Size, FieldRole.Size), (r.Site.Value, FieldRole.Site), (r.AllocationSite.Value, FieldRole.Site),
            ]),
            RundownStarted r => (WireSchema.EventIds.RundownStart, [(r.Generation, FieldRole.Count)]),
            RundownStopped r => (WireSchema.EventIds.RundownStop, [(r.Generation, FieldRole.Count), (r.Blocks, FieldRole.Count), (r.Bytes, FieldRole.Size)]),
            Heartbeat r => (WireSchema.EventIds.Heartbeat,
            [
                (r.Sequence, FieldRole.Count), .. Counts(r.Raw), .. Counts(r.Pool), (r.MisuseCount, FieldRole.Count), ((int)r.Flags, FieldRole.Kind),
                .. r.Tracked.SelectMany(t => Counts(t.Value)),
            ]),
            DetachFlushed r => (WireSchema.EventIds.DetachFlushed, [(r.Token, FieldRole.Id), (r.HeartbeatSequence, FieldRole.Count)]),
            ViewAcquired r => (WireSchema.EventIds.ViewAcquired, View(r.View, r.Owner, r.Site, r.Kind)),
            ViewReleased r => (WireSchema.EventIds.ViewReleased, View(r.View, r.Owner, r.AcquireSite, r.Kind)),
            ViewLeaked r => (WireSchema.EventIds.ViewLeaked, View(r.View, r.Owner, r.AcquireSite, r.Kind)),
            ResizeBlocked r => (WireSchema.EventIds.ResizeBlocked,
                [(r.Owner.Value, FieldRole.Id), (r.Site.Value, FieldRole.Site), (r.RequestedLength, FieldRole.Size), (r.OutstandingViews, FieldRole.Count)]),
            ResizeBlockedView r => (WireSchema.EventIds.ResizeBlockedView, [(r.Owner.Value, FieldRole.Id), (r.View.Value, FieldRole.Id), (r.AcquireSite.Value, FieldRole.Site)]),
            OwnerCreated r => (WireSchema.EventIds.OwnerCreated, Owner(r.Owner, r.Kind, r.Site, r.Storage)),
            OwnerDisposed r => (WireSchema.EventIds.OwnerDisposed, Owner(r.Owner, r.Kind, r.Site, r.Storage)),
            OwnerFinalized r => (WireSchema.EventIds.OwnerFinalized,
                [.. Owner(r.Owner, r.Kind, r.CreationSite, r.Storage), (r.Bytes, FieldRole.Size), ((byte)r.Family, FieldRole.Family)]),
            StackSampled r => (WireSchema.EventIds.StackSample,
            [
                ((byte)r.Operation, FieldRole.Kind), ((byte)r.Reason, FieldRole.Kind), (r.Id.Value, FieldRole.Id), (r.Size, FieldRole.Size),
                (r.Site.Value, FieldRole.Site), (r.SampleBytes, FieldRole.Size),
            ]),
            _ => throw new ArgumentException($"not a LeakScope record: {record.GetType().Name}", nameof(record)),
        };

        EventSchema schema = WireSchema.Find(id)!;
        int version = schema.Version;
        if (id == WireSchema.EventIds.Heartbeat && values.Length == WireSchema.Versions.HeartbeatVersion1Fields)
        {
            // A heartbeat without the tracked families' counts is what an allocator at version 1 sends.
            version = WireSchema.Versions.Initial;
        }
        else if (schema.Fields.Length != values.Length)
        {
            throw new ArgumentException($"{schema.Name} has {schema.Fields.Length} fields; {values.Length} values given", nameof(record));
        }

        var b = new Builder();
        for (int i = 0; i < values.Length; i++)
        {
            b.Add(schema.Fields[i], values[i].Value, values[i].Role);
        }

        return new WireEvent(id, version, b.ToArray(), b.Fields) { Movable = movable };
    }

    /// <summary>EventSource's own error event (id 0): a message string.</summary>
    public static WireEvent SourceError(string message)
    {
        var b = new Builder();
        b.Add(new FieldSchema("message", WireType.UnicodeString), message, FieldRole.Text);
        return new WireEvent(0, 0, b.ToArray(), b.Fields);
    }

    /// <summary>Version 2: the strings escaped and cut as the allocator does (<see cref="SiteString"/>), then their original lengths.</summary>
    private static (object, FieldRole)[] Site(SiteDefined r) =>
    [
        (r.Site.Value, FieldRole.Site), (SiteString.Encode(r.File), FieldRole.Text), (r.Line, FieldRole.Other), (SiteString.Encode(r.Member), FieldRole.Text),
        (r.File.Length, FieldRole.Other), (r.Member.Length, FieldRole.Other),
    ];

    private static (object, FieldRole)[] Block(AllocationId id, long address, long size, SiteId site, HeapFamily family) =>
        [(id.Value, FieldRole.Id), (address, FieldRole.Address), (size, FieldRole.Size), (site.Value, FieldRole.Site), ((byte)family, FieldRole.Family)];

    private static (object, FieldRole)[] View(ViewId view, OwnerId owner, SiteId site, ViewKind kind) =>
        [(view.Value, FieldRole.Id), (owner.Value, FieldRole.Id), (site.Value, FieldRole.Site), ((byte)kind, FieldRole.Kind)];

    private static (object, FieldRole)[] Owner(OwnerId owner, OwnerKind kind, SiteId site, AllocationId storage) =>
        [(owner.Value, FieldRole.Id), ((byte)kind, FieldRole.Kind), (site.Value, FieldRole.Site), (storage.Value, FieldRole.Id)];

    private static (object, FieldRole)[] Counts(FamilyCounts counts) =>
        [(counts.LiveBlocks, FieldRole.Count), (counts.LiveBytes, FieldRole.Size), (counts.Allocations, FieldRole.Count), (counts.Frees, FieldRole.Count)];

    private sealed class Builder
    {
        private readonly List<byte> _bytes = new(64);

        public List<WireField> Fields { get; } = new();

        public void Add(FieldSchema field, object value, FieldRole role)
        {
            Span<byte> span = stackalloc byte[8];
            switch (field.Type)
            {
                case WireType.UInt8:
                    span[0] = (byte)value;
                    Append(span[..1], role);
                    break;
                case WireType.Int32:
                    BinaryPrimitives.WriteInt32LittleEndian(span, (int)value);
                    Append(span[..4], role);
                    break;
                case WireType.Int64:
                    BinaryPrimitives.WriteInt64LittleEndian(span, (long)value);
                    Append(span, role);
                    break;
                case WireType.UnicodeString:
                    Fields.Add(new WireField(_bytes.Count, 0, FieldRole.Text));
                    _bytes.AddRange(Encoding.Unicode.GetBytes((string)value + "\0"));
                    break;
                default:
                    throw new ArgumentException($"{field.Name}: {field.Type} is not encoded by the fuzzing encoder", nameof(field));
            }
        }

        public byte[] ToArray() => _bytes.ToArray();

        private void Append(ReadOnlySpan<byte> value, FieldRole role)
        {
            Fields.Add(new WireField(_bytes.Count, value.Length, role));
            foreach (byte b in value)
            {
                _bytes.Add(b);
            }
        }
    }
}
