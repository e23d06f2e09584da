namespace LeakScope.Tracer.Events;

/// <summary>A block that was live when the session enabled the source (event 7).</summary>
public readonly record struct RundownBlock(AllocationId Id, long Address, long Size, SiteId Site, HeapFamily Family);
