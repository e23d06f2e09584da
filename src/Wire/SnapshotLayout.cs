namespace LeakScope.Wire;

/// <summary>
/// What the allocator sends its tracer over the snapshot socket (<see cref="WireSchema.SnapshotSocketArgument"/>) when
/// it holds for a heap snapshot (prose: docs/reachability.md). Little-endian:
/// <code>
/// magic     8 bytes  "LSSNAP01"
/// pid       int32    the process
/// count     int64    blocks that follow
/// count ×   [id:8][address:8][size:8][site:4][family:1]   every live block, as the heap walker reads it
/// end       int64    -1
/// </code>
/// The tracer answers with one byte, <see cref="Release"/>, when its heap dump is written; the allocator waits for it
/// no longer than the timeout it was given.
/// </summary>
internal static class SnapshotLayout
{
    /// <summary>The first 8 bytes the allocator sends.</summary>
    public static ReadOnlySpan<byte> Magic => "LSSNAP01"u8;

    /// <summary>Bytes of one block record.</summary>
    public const int BlockLength = 8 + 8 + 8 + 4 + 1;

    /// <summary>Bytes of the header: magic, pid, count.</summary>
    public const int HeaderLength = 8 + 4 + 8;

    /// <summary>The end marker after the last block.</summary>
    public const long End = -1;

    /// <summary>The tracer's answer: snapshot taken, go on.</summary>
    public const byte Release = 1;

    /// <summary>How long the allocator holds when the tracer named no timeout, in milliseconds.</summary>
    public const int DefaultTimeoutMilliseconds = 120_000;
}
