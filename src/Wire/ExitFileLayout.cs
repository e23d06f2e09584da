namespace LeakScope.Wire;

/// <summary>
/// The exit file a target writes at exit for its tracer (prose: docs/exit-file.md). Little-endian:
/// <code>
/// magic          8 bytes  "LSEXIT01"
/// formatVersion  int32    the batch record format (<see cref="BatchFormat.FormatVersion"/>)
/// sections, each one tag byte:
///   [1][length:int32][records]   a batch, as in an AllocationBatch event
///   [3][heartbeat]               the final counts: the Heartbeat event's newest fields (WireSchema), in its order
///   [2][heartbeat v1]            the same at Heartbeat version 1 (raw and pool only): written by older allocators, still read
///   [0]                          the end: the file is whole
/// </code>
/// </summary>
internal static class ExitFileLayout
{
    /// <summary>The first 8 bytes of an exit file.</summary>
    public static ReadOnlySpan<byte> Magic => "LSEXIT01"u8;

    public const byte EndSection = 0;
    public const byte BatchSection = 1;
    /// <summary>A heartbeat at <c>Heartbeat</c> version 1 (what allocators before the tracked families' counts wrote).</summary>
    public const byte HeartbeatSection = 2;

    /// <summary>A heartbeat at the newest <c>Heartbeat</c> version (a new tag, so that an older reader refuses it rather than misreads it).</summary>
    public const byte HeartbeatNewestSection = 3;

    /// <summary>The heartbeat section's payload: exactly the <c>Heartbeat</c> event's fields.</summary>
    public static EventSchema Heartbeat => WireSchema.Find(WireSchema.EventIds.Heartbeat)!;

    /// <summary>The newest heartbeat section's length after its tag.</summary>
    public static int HeartbeatLength => Heartbeat.FixedLength;

    /// <summary>The version 1 heartbeat section's length after its tag.</summary>
    public static int HeartbeatVersion1Length => Heartbeat.Fields.Take(WireSchema.Versions.HeartbeatVersion1Fields).Sum(f => f.Width);
}
