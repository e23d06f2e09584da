using LeakScope.Tracer.Events;
using static LeakScope.Tracer.Decoding.AllocatorSchema;

namespace LeakScope.Tracer.Decoding;

/// <summary>
/// Turns one <c>LeakScope-Allocator</c> event (id, version, payload bytes) into a typed record for a sink.
/// Knows nothing of TraceEvent, so it is tested with plain byte arrays. Every known event is version 1;
/// an event of a newer version than known throws <see cref="UnsupportedSchemaVersionException"/>; a
/// truncated payload or an unknown id is counted in <see cref="Statistics"/>.
/// New record kinds (the batched mode's ids 10–19) plug in as further cases of <see cref="Decode"/>,
/// calling the same sink.
/// </summary>
public sealed class RecordDecoder(ITraceRecordSink sink)
{
    /// <summary>The newest version of every event this decoder reads.</summary>
    public const int SupportedVersion = 1;

    private readonly ITraceRecordSink _sink = sink;

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

    public static bool IsKnown(int eventId) => eventId is >= EventIds.SiteDefined and <= EventIds.Heartbeat or >= EventIds.ViewAcquired and <= EventIds.OwnerFinalized;

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
