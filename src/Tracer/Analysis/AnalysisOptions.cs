namespace LeakScope.Tracer.Analysis;

/// <summary>How the engine judges.</summary>
public sealed record AnalysisOptions
{
    public static readonly AnalysisOptions Default = new();

    public GrowthRule Growth { get; init; } = GrowthRule.Default;
}
