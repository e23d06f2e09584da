using System.Diagnostics.Tracing;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The high-rate mode: compact records (<see cref="Batching.BatchRecord"/>) published in bulk instead of
/// one event per operation. Active while a session enables <see cref="Keywords.Batched"/> without
/// <see cref="Keywords.Allocations"/>, so a dotnet-trace or PerfView session that enables every keyword
/// still gets the self-describing per-operation events. Ids 10–19.
/// </summary>
internal sealed partial class AllocatorEventSource
{
    /// <summary>
    /// The answer to a tracer's <c>Flush=&lt;token&gt;</c> at detach: every thread's records up to here are published, and the
    /// heartbeat numbered <paramref name="HeartbeatSequence"/>, written next, counts exactly what they hold. The tracer cuts its
    /// account at that heartbeat. <paramref name="Token"/> is the tracer's, so concurrent tracers each find their own answer.
    /// </summary>
    [Event(WireSchema.EventIds.DetachFlushed, Level = EventLevel.Informational, Keywords = Keywords.Diagnostics, Version = WireSchema.Versions.Initial)]
    public void DetachFlushed(long Token, long HeartbeatSequence) => WriteEvent(WireSchema.EventIds.DetachFlushed, Token, HeartbeatSequence);

    /// <summary>Records of one thread, in the order they happened there. <paramref name="FormatVersion"/> versions the record layout.</summary>
    [Event(WireSchema.EventIds.AllocationBatch, Level = EventLevel.Verbose, Keywords = Keywords.Batched, Version = WireSchema.Versions.Initial)]
    private void AllocationBatch(int FormatVersion, byte[] Records)
    {
        unsafe
        {
            fixed (byte* records = Records)
            {
                AllocationBatch(FormatVersion, records, Records.Length);
            }
        }
    }

    [NonEvent]
    public unsafe void AllocationBatch(int formatVersion, byte* records, int length)
    {
        EventData* data = stackalloc EventData[3];
        Set(ref data[0], &formatVersion);
        Set(ref data[1], &length);
        data[2].DataPointer = (nint)records;
        data[2].Size = length;
        WriteEventCore(WireSchema.EventIds.AllocationBatch, 3, data);
    }
}
