using System.Buffers.Binary;
using System.Text;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// Encodes typed records the way the allocator's EventSource lays out their payloads (little-endian fields in
/// declaration order, strings as NUL-terminated UTF-16), which is exactly what <see cref="RecordDecoder"/> reads.
/// </summary>
internal static class WireEncoder
{
    public static WireEvent Encode(object record, bool movable = false)
    {
        var b = new Builder();
        int id = record switch
        {
            SiteDefined r => b.I32(r.Site.Value, FieldRole.Site).Str(r.File).I32(r.Line, FieldRole.Other).Str(r.Member).Id(AllocatorSchema.EventIds.SiteDefined),
            BlockAllocated r => b.I64(r.Id.Value, FieldRole.Id).I64(r.Address, FieldRole.Address).I64(r.Size, FieldRole.Size).I32(r.Site.Value, FieldRole.Site).U8((byte)r.Family, FieldRole.Family).Id(AllocatorSchema.EventIds.BlockAllocated),
            BlockFreed r => b.I64(r.Id.Value, FieldRole.Id).I64(r.Address, FieldRole.Address).I64(r.Size, FieldRole.Size).I32(r.FreeSite.Value, FieldRole.Site).U8((byte)r.Family, FieldRole.Family).Id(AllocatorSchema.EventIds.BlockFreed),
            BlockReallocated r => b.I64(r.OldId.Value, FieldRole.Id).I64(r.OldAddress, FieldRole.Address).I64(r.OldSize, FieldRole.Size).U8((byte)r.OldFamily, FieldRole.Family)
                .I64(r.NewId.Value, FieldRole.Id).I64(r.NewAddress, FieldRole.Address).I64(r.NewSize, FieldRole.Size).U8((byte)r.NewFamily, FieldRole.Family)
                .I32(r.Site.Value, FieldRole.Site).Id(AllocatorSchema.EventIds.BlockReallocated),
            MisuseReported r => b.U8((byte)r.Kind, FieldRole.Kind).U8((byte)r.BlockFamily, FieldRole.Family).U8((byte)r.CallerFamily, FieldRole.Family)
                .I64(r.Id.Value, FieldRole.Id).I64(r.Address, FieldRole.Address).I64(r.Size, FieldRole.Size).I32(r.Site.Value, FieldRole.Site).I32(r.AllocationSite.Value, FieldRole.Site)
                .Id(AllocatorSchema.EventIds.Misuse),
            RundownStarted r => b.I64(r.Generation, FieldRole.Count).Id(AllocatorSchema.EventIds.RundownStart),
            RundownBlock r => b.I64(r.Id.Value, FieldRole.Id).I64(r.Address, FieldRole.Address).I64(r.Size, FieldRole.Size).I32(r.Site.Value, FieldRole.Site).U8((byte)r.Family, FieldRole.Family).Id(AllocatorSchema.EventIds.RundownBlock),
            RundownStopped r => b.I64(r.Generation, FieldRole.Count).I64(r.Blocks, FieldRole.Count).I64(r.Bytes, FieldRole.Size).Id(AllocatorSchema.EventIds.RundownStop),
            Heartbeat r => b.I64(r.Sequence, FieldRole.Count).Counts(r.Raw).Counts(r.Pool).I64(r.MisuseCount, FieldRole.Count).I32((int)r.Flags, FieldRole.Kind).Id(AllocatorSchema.EventIds.Heartbeat),
            ViewAcquired r => b.I64(r.View.Value, FieldRole.Id).I64(r.Owner.Value, FieldRole.Id).I32(r.Site.Value, FieldRole.Site).U8((byte)r.Kind, FieldRole.Kind).Id(AllocatorSchema.EventIds.ViewAcquired),
            ViewReleased r => b.I64(r.View.Value, FieldRole.Id).I64(r.Owner.Value, FieldRole.Id).I32(r.AcquireSite.Value, FieldRole.Site).U8((byte)r.Kind, FieldRole.Kind).Id(AllocatorSchema.EventIds.ViewReleased),
            ResizeBlocked r => b.I64(r.Owner.Value, FieldRole.Id).I32(r.Site.Value, FieldRole.Site).I64(r.RequestedLength, FieldRole.Size).I32(r.OutstandingViews, FieldRole.Count).Id(AllocatorSchema.EventIds.ResizeBlocked),
            ResizeBlockedView r => b.I64(r.Owner.Value, FieldRole.Id).I64(r.View.Value, FieldRole.Id).I32(r.AcquireSite.Value, FieldRole.Site).Id(AllocatorSchema.EventIds.ResizeBlockedView),
            ViewLeaked r => b.I64(r.View.Value, FieldRole.Id).I64(r.Owner.Value, FieldRole.Id).I32(r.AcquireSite.Value, FieldRole.Site).U8((byte)r.Kind, FieldRole.Kind).Id(AllocatorSchema.EventIds.ViewLeaked),
            OwnerCreated r => b.I64(r.Owner.Value, FieldRole.Id).U8((byte)r.Kind, FieldRole.Kind).I32(r.Site.Value, FieldRole.Site).I64(r.Storage.Value, FieldRole.Id).Id(AllocatorSchema.EventIds.OwnerCreated),
            OwnerDisposed r => b.I64(r.Owner.Value, FieldRole.Id).U8((byte)r.Kind, FieldRole.Kind).I32(r.Site.Value, FieldRole.Site).I64(r.Storage.Value, FieldRole.Id).Id(AllocatorSchema.EventIds.OwnerDisposed),
            OwnerFinalized r => b.I64(r.Owner.Value, FieldRole.Id).U8((byte)r.Kind, FieldRole.Kind).I32(r.CreationSite.Value, FieldRole.Site).I64(r.Storage.Value, FieldRole.Id)
                .I64(r.Bytes, FieldRole.Size).U8((byte)r.Family, FieldRole.Family).Id(AllocatorSchema.EventIds.OwnerFinalized),
            _ => throw new ArgumentException($"not a LeakScope record: {record.GetType().Name}", nameof(record)),
        };

        return new WireEvent(id, 1, b.ToArray(), b.Fields) { Movable = movable };
    }

    /// <summary>EventSource's own error event (id 0): a message string.</summary>
    public static WireEvent SourceError(string message)
    {
        var b = new Builder();
        b.Str(message);
        return new WireEvent(0, 0, b.ToArray(), b.Fields);
    }

    private sealed class Builder
    {
        private readonly List<byte> _bytes = new(64);

        public List<WireField> Fields { get; } = new();

        public int Id(int eventId) => eventId;

        public Builder I64(long value, FieldRole role)
        {
            Span<byte> span = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(span, value);
            return Add(span, role);
        }

        public Builder I32(int value, FieldRole role)
        {
            Span<byte> span = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(span, value);
            return Add(span, role);
        }

        public Builder U8(byte value, FieldRole role) => Add([value], role);

        public Builder Str(string value)
        {
            Fields.Add(new WireField(_bytes.Count, 0, FieldRole.Text));
            _bytes.AddRange(Encoding.Unicode.GetBytes(value + "\0"));
            return this;
        }

        public Builder Counts(FamilyCounts counts) =>
            I64(counts.LiveBlocks, FieldRole.Count).I64(counts.LiveBytes, FieldRole.Size).I64(counts.Allocations, FieldRole.Count).I64(counts.Frees, FieldRole.Count);

        public byte[] ToArray() => _bytes.ToArray();

        private Builder Add(ReadOnlySpan<byte> value, FieldRole role)
        {
            Fields.Add(new WireField(_bytes.Count, value.Length, role));
            foreach (byte b in value)
            {
                _bytes.Add(b);
            }

            return this;
        }
    }
}
