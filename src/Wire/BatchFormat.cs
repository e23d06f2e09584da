namespace LeakScope.Wire;

/// <summary>
/// The compact records of the high-rate mode, carried in <c>AllocationBatch</c> events (id 10) and in the exit file's
/// batch sections. Each record starts with a one-byte tag; ids are 8 bytes little-endian; sizes, sites and counts are
/// unsigned LEB128 varints (<c>v</c>). Versioned by <see cref="FormatVersion"/> in every batch event and exit file; the
/// format only grows: new tags, never a changed layout. Prose: docs/batch-format.md.
/// </summary>
internal static class BatchFormat
{
    /// <summary>2: every batch starts with a <see cref="Header"/>. Version 1 batches had none.</summary>
    public const int FormatVersion = 2;

    /// <summary><c>[1][id:8][size:v][site:v][family:1]</c> — a block allocated.</summary>
    public const byte Allocated = 1;

    /// <summary><c>[2][id:8]</c> — a block freed (the reader knows its size, site and family from its allocation).</summary>
    public const byte Freed = 2;

    /// <summary><c>[3][oldId:8][newId:8][newSize:v][site:v][newFamily:1]</c> — a block reallocated.</summary>
    public const byte Reallocated = 3;

    /// <summary>
    /// <c>[4][site:v][family:1][count:v][bytes:v]</c> — <c>count</c> blocks of <c>bytes</c> in all, allocated at
    /// <c>site</c> and freed again before any record of them was published, folded into one record.
    /// </summary>
    public const byte Folded = 4;

    /// <summary>
    /// <c>[5][writer:v][sequence:v]</c> — the first record of every batch (format 2): which thread's writer published it
    /// and its number among that writer's batches in this session (1, 2, …).
    /// </summary>
    public const byte Header = 5;

    /// <summary>Every tag, for the round-trip test that must cover each one.</summary>
    public static ReadOnlySpan<byte> Tags => [Allocated, Freed, Reallocated, Folded, Header];

    /// <summary>Bytes of a record's 8-byte id.</summary>
    public const int IdLength = 8;

    /// <summary>The longest unsigned LEB128 varint of 64 bits.</summary>
    public const int MaxVarintLength = 10;

    /// <summary>The longest varint of a 32-bit value (writer ids, sites).</summary>
    public const int MaxVarint32Length = 5;

    /// <summary>Upper bound of one encoded record (a <see cref="Reallocated"/>: tag, two ids, size, site, family).</summary>
    public const int MaxLength = 1 + IdLength + IdLength + MaxVarintLength + MaxVarint32Length + 1;

    /// <summary>Upper bound of the <see cref="Header"/> record.</summary>
    public const int MaxHeaderLength = 1 + MaxVarint32Length + MaxVarintLength;
}
