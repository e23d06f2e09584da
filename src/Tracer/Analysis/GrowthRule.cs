using LeakScope.Wire;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// When a site's live bytes "keep rising" (documented in docs/analysis.md). A (site, family) is sampled at
/// every heartbeat; a window is the interval between two consecutive heartbeats. The site is reported as
/// <see cref="FindingKind.Growth"/> when its live bytes rose in at least <see cref="MinRisingWindows"/>
/// windows, rose in more windows than they fell, and the last sample is at least
/// <see cref="MinGrowthBytes"/> above the first. The rule and its defaults are defined once, in
/// <c>GrowthCriteria</c> (src/Wire), which the in-process watcher of LeakScope.Hosting judges by too.
/// </summary>
public sealed record GrowthRule(int MinRisingWindows = GrowthCriteria.DefaultMinRisingWindows, long MinGrowthBytes = GrowthCriteria.DefaultMinGrowthBytes)
{
    /// <summary>At least 3 rising windows and 1024 bytes gained.</summary>
    public static readonly GrowthRule Default = new();

    /// <summary>Whether a site's samples show growth under this rule.</summary>
    public bool IsGrowth(GrowthEvidence e) =>
        GrowthCriteria.IsGrowth(e.RisingWindows, e.FallingWindows, e.FirstBytes, e.LastBytes, MinRisingWindows, MinGrowthBytes);
}
