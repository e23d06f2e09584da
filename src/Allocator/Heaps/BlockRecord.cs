namespace LeakScope.Allocator.Heaps;

internal enum BlockRecordState
{
    Unknown = 0,
    Live = 1,
    Freed = 2,
}

/// <summary>What the allocator knows about a pointer handed to free or realloc.</summary>
internal readonly unsafe struct BlockRecord(
    BlockRecordState state,
    long allocationId,
    nint address,
    nuint size,
    int siteId,
    AllocationFamily family,
    BlockHeader* header)
{
    public BlockRecordState State { get; } = state;

    public long AllocationId { get; } = allocationId;

    public nint Address { get; } = address;

    public nuint Size { get; } = size;

    public int SiteId { get; } = siteId;

    public AllocationFamily Family { get; } = family;

    /// <summary>The small block's header, or null for a large or unknown block.</summary>
    public BlockHeader* Header { get; } = header;
}
