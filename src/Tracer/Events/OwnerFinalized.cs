namespace LeakScope.Tracer.Events;

/// <summary>An owner reclaimed by its finalizer instead of Dispose (event 27); <see cref="CreationSite"/> is where it was created.</summary>
public readonly record struct OwnerFinalized(OwnerId Owner, OwnerKind Kind, SiteId CreationSite, AllocationId Storage, long Bytes, HeapFamily Family);
