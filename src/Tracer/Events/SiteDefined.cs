namespace LeakScope.Tracer.Events;

/// <summary>A site's file, line and member, defined once per id (event 1).</summary>
public readonly record struct SiteDefined(SiteId Site, string File, int Line, string Member);
