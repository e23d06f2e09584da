using System.Diagnostics.Metrics;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator;

/// <summary>
/// Feeds the per-site instruments of the <c>LeakScope.Allocator</c> meter. The meter owns the instruments (observable
/// gauges, created with the meter, so a listener that enables the meter sees them whether or not anything feeds them);
/// a watcher — <c>LeakScope.Hosting</c>'s, or your own — decides which sites they show by calling
/// <see cref="Publish"/> after each sample, and a collection reports the last published set. Until something
/// publishes, the gauges report nothing. The set a watcher publishes should be bounded (the top sites by live bytes),
/// since each (site, member, family) is a time series.
/// </summary>
public static class SiteMetrics
{
    /// <summary>Gauge: live bytes of each published site, attributes <c>site</c> (<see cref="SiteUsage.Location"/>), <c>member</c>, <c>family</c>.</summary>
    public const string LiveBytesInstrument = "leakscope.allocator.site.live_bytes";

    /// <summary>Gauge: live blocks of each published site, same attributes.</summary>
    public const string LiveBlocksInstrument = "leakscope.allocator.site.live_blocks";

    /// <summary>Gauge: 1 for each site the publisher's growth rule currently flags, same attributes.</summary>
    public const string GrowingInstrument = "leakscope.allocator.site.growing";

    private static Published s_current = Published.Empty;

    /// <summary>
    /// Replaces what the per-site gauges report: <paramref name="sites"/> for live bytes and blocks, and a 1 for each
    /// of <paramref name="growing"/>. The collections are copied; later changes to them are not seen.
    /// </summary>
    public static void Publish(IEnumerable<SiteUsage> sites, IEnumerable<SiteUsage> growing)
    {
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(growing);
        AllocatorMeter.EnsureCreated();
        var bytes = new List<Measurement<long>>();
        var blocks = new List<Measurement<long>>();
        foreach (SiteUsage site in sites)
        {
            KeyValuePair<string, object?>[] tags = Tags(site);
            bytes.Add(new Measurement<long>(site.LiveBytes, tags));
            blocks.Add(new Measurement<long>(site.LiveBlocks, tags));
        }

        var flags = new List<Measurement<int>>();
        foreach (SiteUsage site in growing)
        {
            flags.Add(new Measurement<int>(1, Tags(site)));
        }

        Volatile.Write(ref s_current, new Published(bytes.ToArray(), blocks.ToArray(), flags.ToArray()));
    }

    /// <summary>Empties the per-site gauges (a watcher that stops calls it, so no stale site stays exported).</summary>
    public static void Clear() => Volatile.Write(ref s_current, Published.Empty);

    internal static IEnumerable<Measurement<long>> LiveBytes() => Volatile.Read(ref s_current).Bytes;

    internal static IEnumerable<Measurement<long>> LiveBlocks() => Volatile.Read(ref s_current).Blocks;

    internal static IEnumerable<Measurement<int>> Growing() => Volatile.Read(ref s_current).Growing;

    private static KeyValuePair<string, object?>[] Tags(SiteUsage site) =>
    [
        new("site", site.Location),
        new("member", site.Member),
        new("family", AllocatorMeter.FamilyName(site.Family)),
    ];

    private sealed record Published(Measurement<long>[] Bytes, Measurement<long>[] Blocks, Measurement<int>[] Growing)
    {
        public static readonly Published Empty = new([], [], []);
    }
}
