namespace LeakScope.Wire;

/// <summary>
/// The growth rule, owned here once for every judge of it: the tracer's <c>GrowthRule</c> (over a whole session's
/// heartbeat windows) and the in-process watcher of <c>LeakScope.Hosting</c> (over its most recent sample windows)
/// compile this file, so both flag the same shape with the same defaults (docs/analysis.md, "The growth rule").
/// A window is the interval between two consecutive samples of one (site, family). Growth is when the live bytes rose
/// in at least <see cref="DefaultMinRisingWindows"/> windows, rose in more windows than they fell, and the last sample
/// is at least <see cref="DefaultMinGrowthBytes"/> above the first.
/// </summary>
internal static class GrowthCriteria
{
    /// <summary>Rising windows needed, by default.</summary>
    public const int DefaultMinRisingWindows = 3;

    /// <summary>Bytes the last sample must be above the first, by default.</summary>
    public const long DefaultMinGrowthBytes = 1024;

    /// <summary>Whether samples with these counts show growth under the given thresholds.</summary>
    public static bool IsGrowth(int risingWindows, int fallingWindows, long firstBytes, long lastBytes, int minRisingWindows, long minGrowthBytes) =>
        risingWindows >= minRisingWindows
        && risingWindows > fallingWindows
        && lastBytes - firstBytes >= minGrowthBytes;
}
