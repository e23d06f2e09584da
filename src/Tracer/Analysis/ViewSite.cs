namespace LeakScope.Tracer.Analysis;

/// <summary>How many views acquired at one site a finding concerns.</summary>
public sealed record ViewSite(SiteInfo Site, long Count)
{
    /// <summary>The stacks that acquired these views, innermost frame first, most views first; empty when the trace carried none.</summary>
    public IReadOnlyList<FindingStack> Stacks { get; init; } = [];
}
