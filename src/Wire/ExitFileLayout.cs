namespace LeakScope.Wire;

/// <summary>
/// The exit file a target writes at exit for its tracer (prose: docs/exit-file.md). Little-endian:
/// <code>
/// magic          8 bytes  "LSEXIT01"
/// formatVersion  int32    the batch record format (<see cref="BatchFormat.FormatVersion"/>)
/// sections, each one tag byte:
///   [1][length:int32][records]   a batch, as in an AllocationBatch event
///   [2][heartbeat]               the final counts: the Heartbeat event's fields (WireSchema), in its order
///   [0]                          the end: the file is whole
/// </code>
/// </summary>
internal static class ExitFileLayout
{
    /// <summary>The first 8 bytes of an exit file.</summary>
    public static ReadOnlySpan<byte> Magic => "LSEXIT01"u8;

    public const byte EndSection = 0;
    public const byte BatchSection = 1;
    public const byte HeartbeatSection = 2;

    /// <summary>The heartbeat section's payload: exactly the <c>Heartbeat</c> event's fields.</summary>
    public static EventSchema Heartbeat => WireSchema.Find(WireSchema.EventIds.Heartbeat)!;

    /// <summary>The heartbeat section's length after its tag.</summary>
    public static int HeartbeatLength => Heartbeat.FixedLength;
}
