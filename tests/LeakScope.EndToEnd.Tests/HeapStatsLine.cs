using System.Text.Json;
using LeakScope.Tracer.Events;

namespace LeakScope.EndToEnd.Tests;

/// <summary>The target's own truth, printed by MisuseDemo as <c>HEAPSTATS {json}</c>.</summary>
internal sealed record HeapStatsLine(FamilyCounts Raw, FamilyCounts Pool, long RawMisuse, long PoolMisuse)
{
    public const string Prefix = "HEAPSTATS ";

    public static HeapStatsLine Parse(IEnumerable<string> output)
    {
        string line = output.Single(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        using JsonDocument doc = JsonDocument.Parse(line[Prefix.Length..]);
        (FamilyCounts counts, long misuse) Family(string name)
        {
            JsonElement f = doc.RootElement.GetProperty(name);
            return (new FamilyCounts(f.GetProperty("liveBlocks").GetInt64(), f.GetProperty("liveBytes").GetInt64(), f.GetProperty("allocations").GetInt64(), f.GetProperty("frees").GetInt64()), f.GetProperty("misuse").GetInt64());
        }

        var raw = Family("raw");
        var pool = Family("pool");
        return new HeapStatsLine(raw.counts, pool.counts, raw.misuse, pool.misuse);
    }
}
