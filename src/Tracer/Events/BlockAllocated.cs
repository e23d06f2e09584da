namespace LeakScope.Tracer.Events;

/// <summary>A block handed out (event 2).</summary>
public readonly record struct BlockAllocated(AllocationId Id, long Address, long Size, SiteId Site, HeapFamily Family);
