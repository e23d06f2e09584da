namespace LeakScope.Tracer.Events;

/// <summary>An owned array or buffer created at <see cref="Site"/>, its storage block <see cref="Storage"/> (event 25).</summary>
public readonly record struct OwnerCreated(OwnerId Owner, OwnerKind Kind, SiteId Site, AllocationId Storage);
