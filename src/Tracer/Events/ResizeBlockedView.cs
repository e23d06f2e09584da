namespace LeakScope.Tracer.Events;

/// <summary>One outstanding view of a blocked resize (event 23).</summary>
public readonly record struct ResizeBlockedView(OwnerId Owner, ViewId View, SiteId AcquireSite);
