namespace LeakScope.Tracer.Events;

/// <summary>A view (or pin) of an owner's storage acquired at <see cref="Site"/> (event 20).</summary>
public readonly record struct ViewAcquired(ViewId View, OwnerId Owner, SiteId Site, ViewKind Kind);
