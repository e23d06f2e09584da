namespace LeakScope.Tracer.Events;

/// <summary>A misuse the allocator caught in-process (event 5). <see cref="Site"/> is the offending call, <see cref="AllocationSite"/> where the block came from (none when the pointer is unknown).</summary>
public readonly record struct MisuseReported(MisuseKind Kind, HeapFamily BlockFamily, HeapFamily CallerFamily, AllocationId Id, long Address, long Size, SiteId Site, SiteId AllocationSite);
