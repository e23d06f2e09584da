using System.Text.Json;
using LeakScope.Allocator;

namespace LeakScope.Samples.Shared;

/// <summary>
/// The target's own truth as one line, <c>HEAPSTATS {json}</c>, which the end-to-end tests and the tracing benchmark
/// compare with the tracer's account: per family live blocks and bytes, allocations, frees and misuse. Linked into the
/// samples and test targets that print it, so there is one format.
/// </summary>
internal static class HeapStatsLine
{
    public const string Prefix = "HEAPSTATS ";

    public static string Capture()
    {
        HeapSnapshot snapshot = HeapStats.Capture();
        var families = new Dictionary<string, Dictionary<string, long>>();
        foreach ((string name, AllocationFamily family) in new[]
        {
            ("raw", AllocationFamily.Raw), ("pool", AllocationFamily.Pool), ("native", AllocationFamily.Native),
            ("aligned", AllocationFamily.Aligned), ("hglobal", AllocationFamily.HGlobal), ("cotaskmem", AllocationFamily.CoTaskMem),
        })
        {
            HeapSnapshot f = snapshot.For(family);
            families[name] = new Dictionary<string, long>
            {
                ["liveBlocks"] = f.LiveBlocks,
                ["liveBytes"] = f.LiveBytes,
                ["allocations"] = f.Allocations,
                ["frees"] = f.Frees,
                ["misuse"] = f.MisuseCount,
            };
        }

        return Prefix + JsonSerializer.Serialize(families);
    }
}
