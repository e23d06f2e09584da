using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>The one table of finding kinds: the contract names, and an entry every writer can use for every kind.</summary>
public class FindingKindsTests
{
    [Theory]
    [InlineData(FindingKind.Leak, "leak")]
    [InlineData(FindingKind.Growth, "growth")]
    [InlineData(FindingKind.MismatchedFree, "mismatched-free")]
    [InlineData(FindingKind.DoubleFree, "double-free")]
    [InlineData(FindingKind.InvalidFree, "invalid-free")]
    [InlineData(FindingKind.ResizeWithViews, "resize-with-views")]
    [InlineData(FindingKind.ViewLeak, "view-leak")]
    [InlineData(FindingKind.OwnerFinalized, "owner-finalized")]
    [InlineData(FindingKind.Retained, "retained")]
    public void Each_kind_has_its_contract_name_and_parses_back(FindingKind kind, string name)
    {
        Assert.Equal(name, FindingKinds.Of(kind).Name);
        Assert.True(FindingKinds.TryParse(name.ToUpperInvariant(), out FindingKind parsed));
        Assert.Equal(kind, parsed);
    }

    [Fact]
    public void The_table_has_one_complete_entry_per_kind_in_enum_order()
    {
        Assert.Equal(Enum.GetValues<FindingKind>(), FindingKinds.All.Select(k => k.Kind));
        Assert.Equal(FindingKinds.All.Count, FindingKinds.All.Select(k => k.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(FindingKinds.All, k =>
        {
            Assert.Contains(k.SarifLevel, new[] { "error", "warning", "note" });
            Assert.Contains(k.Category, new[] { "leak", "misuse" });
            Assert.False(string.IsNullOrWhiteSpace(k.Title + k.Description + k.CountOne + k.CountMany + k.BytesMeaning + k.SiteRole + k.FreeSiteVerb));
            var one = new Finding(k.Kind, Tracer.Events.HeapFamily.Pool, 1, 48, new SiteInfo(1, "/src/A.cs", 3, "M"));
            Assert.EndsWith(".", k.Sentence(new FindingWords(one, f => f.ToString(), b => $"{b} B")), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_value_that_is_not_a_kind_is_refused_not_given_a_default()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FindingKinds.Of((FindingKind)99));
        Assert.False(FindingKinds.TryParse("leaks", out _));
    }

    [Fact]
    public void Every_kind_but_retained_fails_the_default_gate()
    {
        // retained is LeakSanitizer's "still reachable": reported, not an error unless asked for (docs/reachability.md).
        Assert.All(FindingKinds.All, k => Assert.Equal(k.Kind != FindingKind.Retained, k.GatesByDefault));
        Assert.Equal(FindingKinds.All.Where(k => k.Kind != FindingKind.Retained).Select(k => k.Kind).ToHashSet(), LeakScope.Tracer.Gate.GatePolicy.Default.FailOn.ToHashSet());
        Assert.Equal("--fail-on any", LeakScope.Tracer.Gate.GatePolicy.Default.Describe());
        Assert.Equal("--fail-on any,retained", (LeakScope.Tracer.Gate.GatePolicy.Default with { FailOn = FindingKinds.All.Select(k => k.Kind).ToHashSet() }).Describe());
    }
}
