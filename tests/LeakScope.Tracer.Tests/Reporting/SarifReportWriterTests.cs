using System.Text.Json;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Reporting;
using LeakScope.Tests.Shared;

namespace LeakScope.Tracer.Tests.Reporting;

public class SarifReportWriterTests
{
    private static readonly ReportContext Context = ReportContext.Default with { SourceRoot = "/src" };

    [Fact]
    public async Task The_log_validates_against_the_SARIF_2_1_0_schema()
    {
        string sarif = SarifReportWriter.ToSarif(ReportFixture.Create(), Context);
        Assert.Empty(await SarifSchema.ValidateAsync(sarif));
    }

    [Fact]
    public async Task The_schema_check_is_real_a_broken_log_fails_it()
    {
        string sarif = SarifReportWriter.ToSarif(ReportFixture.Create(), Context)
            .Replace("\"level\": \"error\"", "\"level\": \"fatal\"", StringComparison.Ordinal)
            .Replace("\"startLine\": 60", "\"startLine\": 0", StringComparison.Ordinal);
        IReadOnlyList<string> errors = await SarifSchema.ValidateAsync(sarif);
        Assert.Contains(errors, e => e.Contains("level", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("startLine", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_finding_is_a_result_with_its_rule_level_message_and_line_relative_to_the_source_root()
    {
        using JsonDocument doc = JsonDocument.Parse(SarifReportWriter.ToSarif(ReportFixture.Create(), Context));
        JsonElement run = doc.RootElement.GetProperty("runs")[0];
        Assert.Equal("2.1.0", doc.RootElement.GetProperty("version").GetString());
        Assert.Equal("file:///src/", run.GetProperty("originalUriBaseIds").GetProperty("SRCROOT").GetProperty("uri").GetString());

        JsonElement[] rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToArray();
        Assert.Equal(ReportNames.AllKinds.Select(ReportNames.Kind), rules.Select(r => r.GetProperty("id").GetString()));
        Assert.All(rules, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("fullDescription").GetProperty("text").GetString())));

        JsonElement[] results = run.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(4, results.Length);
        JsonElement leak = results[0];
        Assert.Equal("leak", leak.GetProperty("ruleId").GetString());
        Assert.Equal("leak", rules[leak.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
        Assert.Equal("error", leak.GetProperty("level").GetString());
        Assert.Equal("3 pool blocks (240 B) allocated here were still live at the end of the trace.", leak.GetProperty("message").GetProperty("text").GetString());
        JsonElement location = leak.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("Demo/Program.cs", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("SRCROOT", location.GetProperty("artifactLocation").GetProperty("uriBaseId").GetString());
        Assert.Equal(60, location.GetProperty("region").GetProperty("startLine").GetInt32());

        JsonElement mismatched = results.Single(r => r.GetProperty("ruleId").GetString() == "mismatched-free");
        JsonElement related = mismatched.GetProperty("relatedLocations")[0];
        Assert.Equal(68, related.GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
    }

    [Fact]
    public void Outside_the_source_root_a_site_is_an_absolute_file_uri()
    {
        using JsonDocument doc = JsonDocument.Parse(SarifReportWriter.ToSarif(ReportFixture.Create(), ReportContext.Default with { SourceRoot = "/elsewhere" }));
        JsonElement artifact = doc.RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation");
        Assert.Equal("file:///src/Demo/Program.cs", artifact.GetProperty("uri").GetString());
        Assert.False(artifact.TryGetProperty("uriBaseId", out _));
    }

    [Fact]
    public async Task Suppressed_findings_are_results_with_an_external_suppression_and_hostile_strings_stay_valid()
    {
        var gate = new GatePolicy { Suppressions = SuppressionFile.Parse("double-free *", "s.txt") };
        string sarif = SarifReportWriter.ToSarif(ReportFixture.Hostile(gate), Context);
        Assert.Empty(await SarifSchema.ValidateAsync(sarif));

        using JsonDocument doc = JsonDocument.Parse(sarif);
        JsonElement run = doc.RootElement.GetProperty("runs")[0];
        JsonElement suppressed = run.GetProperty("results").EnumerateArray().Single(r => r.TryGetProperty("suppressions", out _));
        Assert.Equal("external", suppressed.GetProperty("suppressions")[0].GetProperty("kind").GetString());
        Assert.Contains("s.txt:1", suppressed.GetProperty("suppressions")[0].GetProperty("justification").GetString(), StringComparison.Ordinal);
        Assert.Equal(ReportFixture.HostileCommand, run.GetProperty("invocations")[0].GetProperty("properties").GetProperty("targetCommand").GetString());
        JsonElement leak = run.GetProperty("results").EnumerateArray().First(r => r.GetProperty("ruleId").GetString() == "leak");
        Assert.Equal(ReportFixture.HostileMember, leak.GetProperty("locations")[0].GetProperty("logicalLocations")[0].GetProperty("name").GetString());
    }
}
