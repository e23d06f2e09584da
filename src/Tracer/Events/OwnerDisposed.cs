namespace LeakScope.Tracer.Events;

/// <summary>An owner disposed at <see cref="Site"/> (event 26).</summary>
public readonly record struct OwnerDisposed(OwnerId Owner, OwnerKind Kind, SiteId Site, AllocationId Storage);
