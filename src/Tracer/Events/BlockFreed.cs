namespace LeakScope.Tracer.Events;

/// <summary>A block freed (event 3); <see cref="FreeSite"/> is the freeing call, <see cref="Family"/> the block's own family.</summary>
public readonly record struct BlockFreed(AllocationId Id, long Address, long Size, SiteId FreeSite, HeapFamily Family);
