namespace LeakScope.Tracer.Events;

/// <summary>A view released; <see cref="AcquireSite"/> is where it was acquired (event 21).</summary>
public readonly record struct ViewReleased(ViewId View, OwnerId Owner, SiteId AcquireSite, ViewKind Kind);
