using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using LeakScope.Tracer.Events;
using static LeakScope.Tracer.Decoding.AllocatorSchema;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// Turns one <c>LeakScope-Allocator</c> event (id, version, payload bytes) into typed records for a sink.
/// Knows nothing of TraceEvent, so it is tested with plain byte arrays. Every known event is version 1;
/// an event of a newer version than known throws <see cref="UnsupportedSchemaVersionException"/>; a
/// truncated payload or an unknown id is counted in <see cref="Statistics"/>.
/// An <c>AllocationBatch</c> (id 10, the high-rate mode) carries many compact records: they are decoded
/// in place by <see cref="BatchDecoder"/> into the same sink calls as the per-operation events, so the
/// engine never knows which mode the target used.
/// </summary>
public sealed class RecordDecoder(ITraceRecordSink sink)
{
    /// <summary>The newest version of every event this decoder reads.</summary>
    public const int SupportedVersion = 1;

    private readonly ITraceRecordSink _sink = sink;
    private readonly BatchSequences _sequences = new();

    public DecoderStatistics Statistics { get; } = new();

    public void Decode(int eventId, int version, ReadOnlySpan<byte> payload)
    {
        if (eventId == 0)
        {
            Statistics.SourceErrors++;
            if (Statistics.SourceErrorMessages.Count < 5)
            {
                var text = new PayloadReader(payload);
                Statistics.SourceErrorMessages.Add(text.Utf16String());
            }

            return;
        }

        if (!IsKnown(eventId))
        {
            Statistics.UnknownId(eventId);
            return;
        }

        if (version > SupportedVersion)
        {
            throw new UnsupportedSchemaVersionException(NameOf(eventId), eventId, version, SupportedVersion);
        }

        if (eventId == EventIds.AllocationBatch)
        {
            DecodeBatchEvent(payload);
            return;
        }

        var r = new PayloadReader(payload);
        switch (eventId)
        {
            case EventIds.SiteDefined:
            {
                var record = new SiteDefined(new SiteId(r.Int32()), r.Utf16String(), r.Int32(), r.Utf16String());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.BlockAllocated:
            {
                var record = new BlockAllocated(new AllocationId(r.Int64()), r.Int64(), r.Size(), new SiteId(r.Int32()), (HeapFamily)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.BlockFreed:
            {
                var record = new BlockFreed(new AllocationId(r.Int64()), r.Int64(), r.Size(), new SiteId(r.Int32()), (HeapFamily)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.BlockReallocated:
            {
                var record = new BlockReallocated(
                    new AllocationId(r.Int64()), r.Int64(), r.Size(), (HeapFamily)r.Byte(),
                    new AllocationId(r.Int64()), r.Int64(), r.Size(), (HeapFamily)r.Byte(),
                    new SiteId(r.Int32()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.Misuse:
            {
                var record = new MisuseReported(
                    (MisuseKind)r.Byte(), (HeapFamily)r.Byte(), (HeapFamily)r.Byte(),
                    new AllocationId(r.Int64()), r.Int64(), r.Size(), new SiteId(r.Int32()), new SiteId(r.Int32()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.RundownStart:
            {
                var record = new RundownStarted(r.Int64());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.RundownBlock:
            {
                var record = new RundownBlock(new AllocationId(r.Int64()), r.Int64(), r.Size(), new SiteId(r.Int32()), (HeapFamily)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.RundownStop:
            {
                var record = new RundownStopped(r.Int64(), r.Int64(), r.Int64());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.Heartbeat:
            {
                long sequence = r.Int64();
                FamilyCounts raw = Counts(ref r);
                FamilyCounts pool = Counts(ref r);
                var record = new Heartbeat(sequence, raw, pool, r.Int64(), (HeartbeatFlags)r.Int32());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.ViewAcquired:
            {
                var record = new ViewAcquired(new ViewId(r.Int64()), new OwnerId(r.Int64()), new SiteId(r.Int32()), (ViewKind)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.ViewReleased:
            {
                var record = new ViewReleased(new ViewId(r.Int64()), new OwnerId(r.Int64()), new SiteId(r.Int32()), (ViewKind)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.ResizeBlocked:
            {
                var record = new ResizeBlocked(new OwnerId(r.Int64()), new SiteId(r.Int32()), r.Int64(), r.Int32());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.ResizeBlockedView:
            {
                var record = new ResizeBlockedView(new OwnerId(r.Int64()), new ViewId(r.Int64()), new SiteId(r.Int32()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.ViewLeaked:
            {
                var record = new ViewLeaked(new ViewId(r.Int64()), new OwnerId(r.Int64()), new SiteId(r.Int32()), (ViewKind)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.OwnerCreated:
            {
                var record = new OwnerCreated(new OwnerId(r.Int64()), (OwnerKind)r.Byte(), new SiteId(r.Int32()), new AllocationId(r.Int64()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.OwnerDisposed:
            {
                var record = new OwnerDisposed(new OwnerId(r.Int64()), (OwnerKind)r.Byte(), new SiteId(r.Int32()), new AllocationId(r.Int64()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case EventIds.OwnerFinalized:
            {
                var record = new OwnerFinalized(new OwnerId(r.Int64()), (OwnerKind)r.Byte(), new SiteId(r.Int32()), new AllocationId(r.Int64()), r.Size(), (HeapFamily)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }
        }
    }

    public static bool IsKnown(int eventId) => eventId is >= EventIds.SiteDefined and <= EventIds.AllocationBatch or >= EventIds.ViewAcquired and <= EventIds.OwnerFinalized;

    /// <summary>
    /// Decodes the records of one batch (from an <c>AllocationBatch</c> event or an exit file section) written in
    /// record format <paramref name="formatVersion"/>. A newer format is refused naming both versions; a malformed
    /// batch is counted (its records up to the fault have been delivered).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void DecodeBatch(int formatVersion, ReadOnlySpan<byte> records)
    {
        if (formatVersion > BatchDecoder.SupportedFormatVersion)
        {
            throw new UnsupportedSchemaVersionException(
                NameOf(EventIds.AllocationBatch), EventIds.AllocationBatch, formatVersion, BatchDecoder.SupportedFormatVersion, "batch record format version");
        }

        int header = BatchDecoder.ReadHeader(records, out long writer, out long sequence);
        if (header < 0)
        {
            Statistics.MalformedBatches++;
            return;
        }

        if (header > 0 && !_sequences.FirstTime(writer, sequence))
        {
            // The exit file repeats recent batches in case the stream lost them; this one arrived.
            Statistics.ReplayedBatches++;
            return;
        }

        if (header > 0)
        {
            _sink.On(new BatchStarted(writer, sequence));
        }

        bool wellFormed = BatchDecoder.Decode(records[header..], _sink, out int decoded);
        Statistics.BatchRecords += decoded;
        if (wellFormed)
        {
            Statistics.Batches++;
        }
        else
        {
            Statistics.MalformedBatches++;
        }
    }

    /// <summary>
    /// <c>AllocationBatch(int FormatVersion, byte[] Records)</c>: the array as EventSource encodes it, a 32-bit
    /// length then the bytes. Counts as one decoded event when every record decoded.
    /// </summary>
    private void DecodeBatchEvent(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            Statistics.MalformedBatches++;
            return;
        }

        int formatVersion = BinaryPrimitives.ReadInt32LittleEndian(payload);
        int length = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        if (length < 0 || length > payload.Length - 8)
        {
            Statistics.MalformedBatches++;
            return;
        }

        long malformedBefore = Statistics.MalformedBatches;
        DecodeBatch(formatVersion, payload.Slice(8, length));
        if (Statistics.MalformedBatches == malformedBefore)
        {
            Statistics.Decoded++;
        }
    }

    /// <summary>Batches never seen, though a later batch of the same writer was: lost without EventPipe noticing.</summary>
    public long MissingBatches => _sequences.Missing();

    /// <summary>A record that did not come from an event (the exit file's final heartbeat).</summary>
    internal void Deliver(in Heartbeat heartbeat)
    {
        Statistics.Decoded++;
        _sink.On(heartbeat);
    }

    private static FamilyCounts Counts(ref PayloadReader r)
    {
        long liveBlocks = r.Int64();
        long liveBytes = r.Int64();
        long allocations = r.Int64();
        long frees = r.Int64();
        return new FamilyCounts(liveBlocks, liveBytes, allocations, frees);
    }

    private bool Ok(ref PayloadReader r)
    {
        if (r.Failed)
        {
            Statistics.Truncated++;
            return false;
        }

        Statistics.Decoded++;
        return true;
    }
}
