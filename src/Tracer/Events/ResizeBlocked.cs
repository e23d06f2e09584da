namespace LeakScope.Tracer.Events;

/// <summary>A resize refused because views were outstanding (event 22); one <see cref="ResizeBlockedView"/> per view follows.</summary>
public readonly record struct ResizeBlocked(OwnerId Owner, SiteId Site, long RequestedLength, int OutstandingViews);
