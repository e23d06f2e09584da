using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>A site's live blocks and bytes now, and how many bytes it gained since its first heartbeat sample.</summary>
public sealed record SiteGrowth(SiteInfo Site, HeapFamily Family, long LiveBlocks, long LiveBytes, long GrowthBytes);
