using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using LeakScope.Tracer.Events;
using LeakScope.Wire;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// Turns one <c>LeakScope-Allocator</c> event (id, version, payload bytes) into typed records for a sink.
/// Knows nothing of TraceEvent, so it is tested with plain byte arrays. Ids, versions and field layouts are
/// <see cref="WireSchema"/>'s; an event of a newer version than the schema's throws
/// <see cref="UnsupportedSchemaVersionException"/>; a payload that does not match its schema (cut short, longer,
/// a corrupt site string) or an unknown id is counted in <see cref="Statistics"/>.
/// An <c>AllocationBatch</c> (id 10, the high-rate mode) carries many compact records: they are decoded
/// in place by <see cref="BatchDecoder"/> into the same sink calls as the per-operation events, so the
/// engine never knows which mode the target used.
/// </summary>
public sealed class RecordDecoder(ITraceRecordSink sink)
{
    /// <summary>The newest version of any event this decoder reads (each event's own is <see cref="SupportedVersionOf"/>).</summary>
    public const int SupportedVersion = WireSchema.Versions.Newest;

    private readonly ITraceRecordSink _sink = sink;
    private readonly BatchSequences _sequences = new();

    /// <summary>What was decoded, and what could not be (counted, never dropped silently).</summary>
    public DecoderStatistics Statistics { get; } = new();

    /// <summary>
    /// Decodes one event's payload into its record and hands it to the sink. An event id 0 (EventSource's own error
    /// event), an unknown id or a payload of the wrong size is counted in <see cref="Statistics"/>.
    /// </summary>
    /// <exception cref="UnsupportedSchemaVersionException"><paramref name="version"/> is newer than this decoder reads.</exception>
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

        EventSchema? schema = WireSchema.Find(eventId);
        if (schema is null)
        {
            Statistics.UnknownId(eventId);
            return;
        }

        if (version > schema.Version)
        {
            throw new UnsupportedSchemaVersionException(schema.Name, eventId, version, schema.Version);
        }

        if (eventId == WireSchema.EventIds.AllocationBatch)
        {
            DecodeBatchEvent(payload);
            return;
        }

        var r = new PayloadReader(payload);
        switch (eventId)
        {
            case WireSchema.EventIds.SiteDefined:
            {
                if (version < WireSchema.Versions.SiteDefined)
                {
                    // Version 1: the strings as they were, unescaped and uncut.
                    var original = new SiteDefined(new SiteId(r.Int32()), r.Utf16String(), r.Int32(), r.Utf16String());
                    if (Ok(ref r)) _sink.On(original);
                    break;
                }

                var site = new SiteId(r.Int32());
                string file = r.Utf16String();
                int line = r.Int32();
                string member = r.Utf16String();
                int fileLength = r.Int32();
                int memberLength = r.Int32();
                if (!r.Failed && SiteString.TryDecode(file, fileLength, out string fileText, out bool fileCut)
                    && SiteString.TryDecode(member, memberLength, out string memberText, out bool memberCut))
                {
                    Statistics.CutSiteStrings += (fileCut ? 1 : 0) + (memberCut ? 1 : 0);
                    var record = new SiteDefined(site, fileText, line, memberText);
                    if (Ok(ref r)) _sink.On(record);
                }
                else
                {
                    Statistics.Truncated++;
                }

                break;
            }

            case WireSchema.EventIds.BlockAllocated:
            {
                var record = new BlockAllocated(new AllocationId(r.Int64()), r.Int64(), r.Size(), new SiteId(r.Int32()), (HeapFamily)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.BlockFreed:
            {
                var record = new BlockFreed(new AllocationId(r.Int64()), r.Int64(), r.Size(), new SiteId(r.Int32()), (HeapFamily)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.BlockReallocated:
            {
                var record = new BlockReallocated(
                    new AllocationId(r.Int64()), r.Int64(), r.Size(), (HeapFamily)r.Byte(),
                    new AllocationId(r.Int64()), r.Int64(), r.Size(), (HeapFamily)r.Byte(),
                    new SiteId(r.Int32()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.Misuse:
            {
                var record = new MisuseReported(
                    (MisuseKind)r.Byte(), (HeapFamily)r.Byte(), (HeapFamily)r.Byte(),
                    new AllocationId(r.Int64()), r.Int64(), r.Size(), new SiteId(r.Int32()), new SiteId(r.Int32()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.RundownStart:
            {
                var record = new RundownStarted(r.Int64());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.RundownBlock:
            {
                var record = new RundownBlock(new AllocationId(r.Int64()), r.Int64(), r.Size(), new SiteId(r.Int32()), (HeapFamily)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.RundownStop:
            {
                var record = new RundownStopped(r.Int64(), r.Int64(), r.Int64());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.Heartbeat:
            {
                Heartbeat record = ReadHeartbeat(ref r, version);
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.DetachFlushed:
            {
                var record = new DetachFlushed(r.Int64(), r.Int64());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.ViewAcquired:
            {
                var record = new ViewAcquired(new ViewId(r.Int64()), new OwnerId(r.Int64()), new SiteId(r.Int32()), (ViewKind)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.ViewReleased:
            {
                var record = new ViewReleased(new ViewId(r.Int64()), new OwnerId(r.Int64()), new SiteId(r.Int32()), (ViewKind)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.ResizeBlocked:
            {
                var record = new ResizeBlocked(new OwnerId(r.Int64()), new SiteId(r.Int32()), r.Int64(), r.Int32());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.ResizeBlockedView:
            {
                var record = new ResizeBlockedView(new OwnerId(r.Int64()), new ViewId(r.Int64()), new SiteId(r.Int32()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.ViewLeaked:
            {
                var record = new ViewLeaked(new ViewId(r.Int64()), new OwnerId(r.Int64()), new SiteId(r.Int32()), (ViewKind)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.OwnerCreated:
            {
                var record = new OwnerCreated(new OwnerId(r.Int64()), (OwnerKind)r.Byte(), new SiteId(r.Int32()), new AllocationId(r.Int64()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.OwnerDisposed:
            {
                var record = new OwnerDisposed(new OwnerId(r.Int64()), (OwnerKind)r.Byte(), new SiteId(r.Int32()), new AllocationId(r.Int64()));
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.OwnerFinalized:
            {
                var record = new OwnerFinalized(new OwnerId(r.Int64()), (OwnerKind)r.Byte(), new SiteId(r.Int32()), new AllocationId(r.Int64()), r.Size(), (HeapFamily)r.Byte());
                if (Ok(ref r)) _sink.On(record);
                break;
            }

            case WireSchema.EventIds.StackSample:
            {
                // What it is for — the stack EventPipe walked for it — is not in the payload: StackEventAdapter takes it from the
                // event itself and gives the sink the sample with its stack. Here it goes without one (StackId -1).
                var record = new StackSampled((StackOperation)r.Byte(), (StackReason)r.Byte(), new AllocationId(r.Int64()), r.Size(), new SiteId(r.Int32()), r.Int64(), -1);
                if (Ok(ref r))
                {
                    Statistics.StackSamples++;
                    _sink.On(record);
                }

                break;
            }
        }
    }

    /// <summary>Whether <paramref name="eventId"/> is an event of the schema this decoder reads.</summary>
    public static bool IsKnown(int eventId) => WireSchema.Find(eventId) is not null;

    /// <summary>The newest version of event <paramref name="eventId"/> this decoder reads (0 for an unknown id).</summary>
    public static int SupportedVersionOf(int eventId) => WireSchema.Find(eventId)?.Version ?? 0;

    /// <summary>
    /// Decodes the records of one batch (from an <c>AllocationBatch</c> event or an exit file section) written in
    /// record format <paramref name="formatVersion"/>. A newer format is refused naming both versions; a malformed
    /// batch is counted (its records up to the fault have been delivered).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void DecodeBatch(int formatVersion, ReadOnlySpan<byte> records)
    {
        if (formatVersion > BatchFormat.FormatVersion)
        {
            throw new UnsupportedSchemaVersionException(
                WireSchema.NameOf(WireSchema.EventIds.AllocationBatch), WireSchema.EventIds.AllocationBatch, formatVersion, BatchFormat.FormatVersion, "batch record format version");
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
        if (length < 0 || length != payload.Length - 8)
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

    /// <summary>
    /// The exit file's final heartbeat: the <c>Heartbeat</c> event's payload (<see cref="ExitFileLayout.Heartbeat"/>),
    /// read by the same code as the event. False when it does not match the schema.
    /// </summary>
    internal bool DeliverExitHeartbeat(ReadOnlySpan<byte> payload, int version)
    {
        var r = new PayloadReader(payload);
        Heartbeat heartbeat = ReadHeartbeat(ref r, version);
        if (r.Failed || !r.AtEnd)
        {
            return false;
        }

        Statistics.Decoded++;
        _sink.On(heartbeat);
        return true;
    }

    /// <summary>The <c>Heartbeat</c> fields, in <see cref="WireSchema"/>'s order.</summary>
    private static Heartbeat ReadHeartbeat(ref PayloadReader r, int version)
    {
        long sequence = r.Int64();
        FamilyCounts raw = Counts(ref r);
        FamilyCounts pool = Counts(ref r);
        long misuse = r.Int64();
        var heartbeat = new Heartbeat(sequence, raw, pool, misuse, (HeartbeatFlags)r.Int32());
        if (version < WireSchema.Versions.Heartbeat)
        {
            return heartbeat; // version 1: raw and pool only
        }

        // Version 2: the tracked families follow, in WireFamily order.
        var tracked = new KeyValuePair<HeapFamily, FamilyCounts>[WireFamily.CoTaskMem - WireFamily.Native + 1];
        for (int i = 0; i < tracked.Length; i++)
        {
            tracked[i] = new((HeapFamily)(WireFamily.Native + i), Counts(ref r));
        }

        return heartbeat with { Tracked = tracked };
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
        if (r.Failed || !r.AtEnd)
        {
            Statistics.Truncated++;
            return false;
        }

        Statistics.Decoded++;
        return true;
    }
}
