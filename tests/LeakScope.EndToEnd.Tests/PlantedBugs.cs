using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Reporting;

namespace LeakScope.EndToEnd.Tests;

/// <summary>What a user checks of a finding: kind, family, count, bytes, the site's file and line, and the freeing line.</summary>
internal readonly record struct FindingSignature(string Kind, string Family, long Count, long Bytes, string File, int Line, int? FreeLine)
{
    public static FindingSignature From(Finding f) => new(
        ReportNames.Kind(f.Kind), ReportNames.Family(f.Family), f.Count, f.Bytes, f.Site.File, f.Site.Line, f.FreeSite?.Line);

    public static FindingSignature From(JsonElement f) => new(
        f.GetProperty("kind").GetString()!,
        f.GetProperty("family").GetString()!,
        f.GetProperty("count").GetInt64(),
        f.GetProperty("bytes").GetInt64(),
        f.GetProperty("site").GetProperty("file").GetString()!,
        f.GetProperty("site").GetProperty("line").GetInt32(),
        f.TryGetProperty("freeSite", out JsonElement free) ? free.GetProperty("line").GetInt32() : null);
}

/// <summary>The findings MisuseDemo must produce: one per planted bug, at the marked lines, with exact bytes.</summary>
internal static class PlantedBugs
{
    public static IReadOnlyList<FindingSignature> Expected(int heldLeaked = 0)
    {
        string file = Repo.MisuseDemoSource;
        var expected = new List<FindingSignature>
        {
            new("leak", "pool", 3, 240, file, Repo.Line("pool-leak"), null),
            new("leak", "raw", 1, 200, file, Repo.Line("raw-leak"), null),
            new("leak", "raw", 1, 1000, file, Repo.Line("realloc-leak"), null),
            new("mismatched-free", "raw", 1, 64, file, Repo.Line("mismatched-alloc"), Repo.Line("mismatched-free")),
            new("double-free", "pool", 1, 48, file, Repo.Line("double-alloc"), Repo.Line("double-free")),
            new("invalid-free", "raw", 1, 0, file, Repo.Line("invalid-free"), Repo.Line("invalid-free")),
        };
        if (heldLeaked > 0)
        {
            expected.Add(new("leak", "raw", heldLeaked, heldLeaked * 128L, file, Repo.Line("held"), null));
        }

        return expected;
    }

    public static void AssertExactly(IEnumerable<FindingSignature> actual, int heldLeaked = 0)
    {
        string[] Sorted(IEnumerable<FindingSignature> s) => s.Select(f => f.ToString()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Sorted(Expected(heldLeaked)), Sorted(actual));
    }
}
