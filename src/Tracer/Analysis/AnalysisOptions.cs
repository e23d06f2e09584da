namespace LeakScope.Tracer.Analysis;

/// <summary>How the engine judges.</summary>
public sealed record AnalysisOptions
{
    /// <summary>The defaults: <see cref="GrowthRule.Default"/>.</summary>
    public static readonly AnalysisOptions Default = new();

    /// <summary>When a site's live bytes count as growing.</summary>
    public GrowthRule Growth { get; init; } = GrowthRule.Default;
}
