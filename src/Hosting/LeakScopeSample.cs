using LeakScope.Allocator;

namespace LeakScope.Hosting;

/// <summary>What one sample of the live heap found.</summary>
/// <param name="Time">When the sample was taken.</param>
/// <param name="Number">Samples taken before this one.</param>
/// <param name="TopSites">The top <see cref="LeakScopeOptions.MaxSites"/> (site, family) pairs by live bytes, largest first.</param>
/// <param name="Growing">Sites the growth rule flags, fastest-growing first (at most <see cref="LeakScopeOptions.MaxSites"/>).</param>
/// <param name="SiteCount">(site, family) pairs with live blocks.</param>
/// <param name="Duration">How long the heap walk and the judgement took.</param>
public sealed record LeakScopeSample(
    DateTimeOffset Time,
    long Number,
    IReadOnlyList<SiteUsage> TopSites,
    IReadOnlyList<GrowingSite> Growing,
    int SiteCount,
    TimeSpan Duration);
