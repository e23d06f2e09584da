using LeakScope.Wire;

namespace LeakScope.Hosting;

/// <summary>
/// How the LeakScope watcher samples and judges. The growth thresholds are the tracer's growth rule with the same
/// defaults (docs/analysis.md, "The growth rule"), applied to the most recent <see cref="RecentWindows"/> sample windows
/// rather than to a whole session (docs/hosting.md).
/// </summary>
public sealed class LeakScopeOptions
{
    /// <summary>Time between two samples of the live heap (default 10 s). Each sample walks the live heap once.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most sites the per-site gauges report, the top ones by live bytes (default 20): bounds the time series.</summary>
    public int MaxSites { get; set; } = 20;

    /// <summary>Rising windows needed to flag a site (default 3, the tracer's <c>GrowthRule.MinRisingWindows</c>).</summary>
    public int MinRisingWindows { get; set; } = GrowthCriteria.DefaultMinRisingWindows;

    /// <summary>Bytes the last sample must be above the first of the recent windows (default 1024, the tracer's <c>GrowthRule.MinGrowthBytes</c>).</summary>
    public long MinGrowthBytes { get; set; } = GrowthCriteria.DefaultMinGrowthBytes;

    /// <summary>
    /// How many of the most recent sample windows the growth rule looks at (default 6: one minute at the default
    /// interval). A steady leak flags after <see cref="MinRisingWindows"/> intervals; a site that stops rising clears
    /// once its rises have left these windows. At least <see cref="MinRisingWindows"/>.
    /// </summary>
    public int RecentWindows { get; set; } = 6;

    /// <summary>
    /// Most of one core the sampling may take, as a fraction (default 0.01, 1 %). A sample walks the live heap, so its
    /// cost grows with the heap (bench/README.md, "The hosting watcher"): when one took longer than this share of
    /// <see cref="SampleInterval"/>, the watcher waits <c>duration / MaxCpuShare</c> before the next one instead (the
    /// duration is the shortest of the last three samples' wall times, the first sample after start not counted).
    /// </summary>
    public double MaxCpuShare { get; set; } = 0.01;

    /// <summary>The wait before the next sample, after one that took <paramref name="sampleDuration"/>.</summary>
    internal TimeSpan NextWait(TimeSpan sampleDuration)
    {
        TimeSpan budgeted = sampleDuration / MaxCpuShare;
        return budgeted > SampleInterval ? budgeted : SampleInterval;
    }

    internal void Validate()
    {
        if (!(MaxCpuShare > 0 && MaxCpuShare <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCpuShare), MaxCpuShare, "LeakScope: MaxCpuShare must be in (0, 1].");
        }

        if (SampleInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleInterval), SampleInterval, "LeakScope: SampleInterval must be positive.");
        }

        if (MaxSites < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSites), MaxSites, "LeakScope: MaxSites must be at least 1.");
        }

        if (MinRisingWindows < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinRisingWindows), MinRisingWindows, "LeakScope: MinRisingWindows must be at least 1.");
        }

        if (RecentWindows < MinRisingWindows)
        {
            throw new ArgumentOutOfRangeException(nameof(RecentWindows), RecentWindows, "LeakScope: RecentWindows must be at least MinRisingWindows.");
        }
    }
}
