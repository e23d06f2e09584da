namespace LeakScope.Tracer.Analysis;

/// <summary>
/// When a site's live bytes "keep rising" (documented in docs/analysis.md). A (site, family) is sampled at
/// every heartbeat; a window is the interval between two consecutive heartbeats. The site is reported as
/// <see cref="FindingKind.Growth"/> when its live bytes rose in at least <see cref="MinRisingWindows"/>
/// windows, rose in more windows than they fell, and the last sample is at least
/// <see cref="MinGrowthBytes"/> above the first.
/// </summary>
public sealed record GrowthRule(int MinRisingWindows = 3, long MinGrowthBytes = 1024)
{
    /// <summary>At least 3 rising windows and 1024 bytes gained.</summary>
    public static readonly GrowthRule Default = new();

    /// <summary>Whether a site's samples show growth under this rule.</summary>
    public bool IsGrowth(GrowthEvidence e) =>
        e.RisingWindows >= MinRisingWindows
        && e.RisingWindows > e.FallingWindows
        && e.LastBytes - e.FirstBytes >= MinGrowthBytes;
}
