namespace LeakScope.Tracer.Events;

/// <summary>A view reclaimed by the finalizer without being released (event 24).</summary>
public readonly record struct ViewLeaked(ViewId View, OwnerId Owner, SiteId AcquireSite, ViewKind Kind);
