using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Tests.Reporting;

namespace LeakScope.Tracer.Tests.Gate;

/// <summary>The fixture report has two leaks (pool 240 B at line 60, raw 200 B at 64), a mismatched free and an invalid free.</summary>
public class GatePolicyTests
{
    private static readonly AnalysisResult Analysis = ReportFixture.Create().Analysis;

    private static IReadOnlyList<Suppression> Suppress(string text) => SuppressionFile.Parse(text, "s.txt");

    [Fact]
    public void By_default_any_finding_fails_the_gate_and_each_kind_is_a_reason()
    {
        GateResult result = GatePolicy.Default.Evaluate(Analysis);
        Assert.False(result.Passed);
        Assert.Equal(4, result.Findings.Count);
        Assert.Equal(3, result.Reasons.Count);
        Assert.Equal("2 leak findings: 4 blocks, 440 B total", result.Reasons[0]);
        Assert.Equal("1 invalid-free finding: 1 call, 0 B total", result.Reasons[2]);
        Assert.Equal(result.Findings, result.Failing);
        Assert.Empty(result.NotFailing);
    }

    [Fact]
    public void Fail_on_lists_the_kinds_that_count()
    {
        Assert.True(new GatePolicy { FailOn = new HashSet<FindingKind> { FindingKind.Growth, FindingKind.DoubleFree } }.Evaluate(Analysis).Passed);
        Assert.False(new GatePolicy { FailOn = new HashSet<FindingKind> { FindingKind.InvalidFree } }.Evaluate(Analysis).Passed);
        Assert.True(new GatePolicy { FailOn = new HashSet<FindingKind>() }.Evaluate(Analysis).Passed);
    }

    [Theory]
    [InlineData(440, true)]
    [InlineData(439, false)]
    public void Max_leaked_bytes_judges_leaks_together_while_other_kinds_still_count(long budget, bool passed)
    {
        var leaksOnly = new GatePolicy { FailOn = new HashSet<FindingKind> { FindingKind.Leak }, MaxLeakedBytes = budget };
        GateResult result = leaksOnly.Evaluate(Analysis);
        Assert.Equal(passed, result.Passed);
        if (!passed)
        {
            Assert.Equal("440 B leaked, more than --max-leaked-bytes 439", Assert.Single(result.Reasons));
        }

        // With the default kinds, the misuse findings fail the gate whatever the budget.
        Assert.False((GatePolicy.Default with { MaxLeakedBytes = 1 << 20 }).Evaluate(Analysis).Passed);
    }

    [Fact]
    public void Suppressed_findings_leave_the_gate_and_every_suppression_reports_its_matches()
    {
        var policy = new GatePolicy
        {
            Suppressions = Suppress("leak Program.cs:60-64\nmismatched-free Demo/Program.cs\n* Program.cs PlantedBugs\ndouble-free Nowhere.cs"),
        };
        GateResult result = policy.Evaluate(Analysis);

        Assert.True(result.Passed, string.Join("; ", result.Reasons));
        Assert.Empty(result.Findings);
        Assert.Equal(4, result.Suppressed.Count);
        Assert.Equal(new long[] { 2, 1, 1, 0 }, result.Suppressions.Select(s => s.Matched));
        Assert.Equal("s.txt:4", Assert.Single(result.Unused).Suppression.Location);
        Assert.Equal("s.txt:1", result.Suppressed.First(s => s.Finding.Kind == FindingKind.Leak).By.Location);
    }

    [Fact]
    public void Incomplete_fails_only_when_asked()
    {
        AnalysisResult lossy = ReportFixture.Create(eventsLost: 3).Analysis;
        var none = new GatePolicy { FailOn = new HashSet<FindingKind>() };
        Assert.True(none.Evaluate(lossy).Passed);
        GateResult strict = (none with { FailOnIncomplete = true }).Evaluate(lossy);
        Assert.False(strict.Passed);
        Assert.Contains("incomplete", Assert.Single(strict.Reasons), StringComparison.Ordinal);
        Assert.Equal("--fail-on incomplete", (none with { FailOnIncomplete = true }).Describe());
        Assert.Equal("--fail-on any --max-leaked-bytes 10", (GatePolicy.Default with { MaxLeakedBytes = 10 }).Describe());
    }
}
