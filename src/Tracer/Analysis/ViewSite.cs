namespace LeakScope.Tracer.Analysis;

/// <summary>How many views acquired at one site a finding concerns.</summary>
public sealed record ViewSite(SiteInfo Site, long Count);
