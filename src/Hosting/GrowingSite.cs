using LeakScope.Allocator;

namespace LeakScope.Hosting;

/// <summary>A site the growth rule flags in the latest sample.</summary>
/// <param name="Site">The site, family and live counts at the latest sample.</param>
/// <param name="GrowingSince">When the episode began: the first sample of the recent windows in which it was flagged.</param>
/// <param name="GrowthBytes">Live bytes gained over the recent windows (last sample minus first).</param>
/// <param name="BytesPerSecond">That gain divided by the time the recent windows span.</param>
public sealed record GrowingSite(SiteUsage Site, DateTimeOffset GrowingSince, long GrowthBytes, double BytesPerSecond);
