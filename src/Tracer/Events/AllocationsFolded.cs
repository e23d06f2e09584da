namespace LeakScope.Tracer.Events;

/// <summary>
/// <see cref="Count"/> blocks, <see cref="Bytes"/> in all, allocated at <see cref="Site"/> and freed again before
/// any record of them was published (batch record tag 4). They count in the site's allocations and frees, never
/// in the live account.
/// </summary>
public readonly record struct AllocationsFolded(SiteId Site, HeapFamily Family, long Count, long Bytes);
