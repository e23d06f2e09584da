using System.Text.Json;
using System.Xml.Linq;
using LeakScope.Tests.Shared;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>Every report format from one real trace of MisuseDemo, checked as its consumer would read it.</summary>
[Collection(EventPipeCollection.Name)]
public class ReportFormatTests(MisuseDemoRecording recording)
{
    private static readonly string[] Kinds = ["leak", "growth", "mismatched-free", "double-free", "invalid-free", "resize-with-views", "view-leak", "owner-finalized"];

    [Fact]
    public void The_trace_exits_1_shows_the_childs_exit_code_and_writes_every_report()
    {
        Assert.True(recording.ExitCode == 1, $"exit {recording.ExitCode}\n{recording.Output}\n{recording.Errors}");
        Assert.Contains("leakscope: the target exited with code 0", recording.Errors, StringComparison.Ordinal);
        Assert.Contains("leakscope: gate failed (--fail-on any): 6 findings, 0 suppressed", recording.Errors, StringComparison.Ordinal);
        Assert.Contains(recording.Lines, l => l.StartsWith(HeapStatsLine.Prefix, StringComparison.Ordinal)); // the child's output is shown
        Assert.All(new[] { recording.Text, recording.Json, recording.Sarif, recording.JUnit, recording.Html, recording.NetTrace }, f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.DoesNotContain("LeakScope report", recording.Output, StringComparison.Ordinal); // text went to its file, not stdout
    }

    [Fact]
    public void Text_has_the_summary_findings_and_gate()
    {
        string text = File.ReadAllText(recording.Text);
        Assert.Contains("account: COMPLETE", text, StringComparison.Ordinal);
        Assert.Contains($"allocated at Program.cs:{Repo.Line("pool-leak")} (PlantedBugs)", text, StringComparison.Ordinal);
        Assert.Contains("Gate FAILED (--fail-on any)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_matches_the_contract()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(recording.Json));
        JsonElement root = doc.RootElement;
        Assert.Equal(new[] { "schemaVersion", "complete", "eventsLost", "target", "summary", "findings" }, root.EnumerateObject().Select(p => p.Name).Take(6));
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal(0, root.GetProperty("eventsLost").GetInt64());
        JsonElement target = root.GetProperty("target");
        Assert.True(target.GetProperty("pid").GetInt32() > 0);
        Assert.Contains("MisuseDemo.dll", target.GetProperty("command").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, target.GetProperty("exitCode").GetInt32());

        JsonElement summary = root.GetProperty("summary");
        Assert.Equal((5, 1440, 5, 1440, 6), (summary.GetProperty("liveBlocks").GetInt64(), summary.GetProperty("liveBytes").GetInt64(),
            summary.GetProperty("leakedBlocks").GetInt64(), summary.GetProperty("leakedBytes").GetInt64(), summary.GetProperty("findings").GetInt32()));
        PlantedBugs.AssertExactly(root.GetProperty("findings").EnumerateArray().Select(FindingSignature.From));
        Assert.All(root.GetProperty("findings").EnumerateArray(), f => Assert.Contains(f.GetProperty("kind").GetString(), Kinds));

        JsonElement gate = root.GetProperty("gate");
        Assert.False(gate.GetProperty("passed").GetBoolean());
        Assert.Equal("--fail-on any", gate.GetProperty("policy").GetString());
        Assert.Empty(root.GetProperty("suppressions").EnumerateArray());
        Assert.NotEmpty(root.GetProperty("liveSeries").EnumerateArray());
    }

    [Fact]
    public async Task Sarif_validates_against_the_schema_and_puts_each_finding_on_its_line()
    {
        string sarif = File.ReadAllText(recording.Sarif);
        Assert.Empty(await SarifSchema.ValidateAsync(sarif));

        using JsonDocument doc = JsonDocument.Parse(sarif);
        JsonElement run = doc.RootElement.GetProperty("runs")[0];
        JsonElement[] results = run.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(6, results.Length);
        JsonElement poolLeak = results.Single(r => r.GetProperty("ruleId").GetString() == "leak" && r.GetProperty("properties").GetProperty("family").GetString() == "pool");
        Assert.Equal("error", poolLeak.GetProperty("level").GetString());
        JsonElement physical = poolLeak.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("samples/MisuseDemo/Program.cs", physical.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("SRCROOT", physical.GetProperty("artifactLocation").GetProperty("uriBaseId").GetString());
        Assert.Equal(Repo.Line("pool-leak"), physical.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal(new Uri(Repo.Root + "/").AbsoluteUri, run.GetProperty("originalUriBaseIds").GetProperty("SRCROOT").GetProperty("uri").GetString());
    }

    [Fact]
    public void JUnit_parses_with_a_gate_case_a_test_case_per_kind_and_a_failure_per_failing_finding()
    {
        XDocument doc = XDocument.Load(recording.JUnit);
        XElement suite = doc.Root!.Element("testsuite")!;
        Assert.Equal("7", suite.Attribute("failures")!.Value);
        Dictionary<string, int> failures = suite.Elements("testcase").ToDictionary(c => c.Attribute("name")!.Value, c => c.Elements("failure").Count());
        Assert.Equal(Kinds.Prepend("gate").Append("retained"), failures.Keys); // retained: only with --reachability, never here
        Assert.Equal(new[] { 1, 3, 0, 1, 1, 1, 0, 0, 0, 0 }, Kinds.Prepend("gate").Append("retained").Select(k => failures[k]));
    }

    [Fact]
    public void Html_is_one_self_contained_file_with_summary_chart_findings_and_top_sites()
    {
        string html = File.ReadAllText(recording.Html);
        XDocument doc = XDocument.Parse(html.Replace("<!DOCTYPE html>", string.Empty, StringComparison.Ordinal));
        IEnumerable<XElement> Id(string id) => doc.Descendants().Where(e => (string?)e.Attribute("id") == id);
        Assert.Single(Id("summary"));
        Assert.Single(Id("top-sites"));
        Assert.Equal(6, Id("findings").Single().Descendants("tbody").Single().Elements("tr").Count());
        Assert.Contains("MisuseDemo.dll", Id("command").Single().Value, StringComparison.Ordinal);
        Assert.True(Id("live-chart").Any() || html.Contains("No heartbeat was received", StringComparison.Ordinal));
        Assert.DoesNotContain(doc.Descendants(), e => e.Attribute("src") is not null || e.Attribute("href") is not null);
    }

    [Fact]
    public void Analyzing_the_recording_reports_progress_through_the_monitor_and_the_same_findings()
    {
        var monitor = new TraceMonitor();
        TraceOutcome outcome = TraceRunner.AnalyzeFile(recording.NetTrace, monitor: monitor);

        Assert.Equal(new FileInfo(recording.NetTrace).Length, monitor.TotalBytes);
        Assert.Equal(monitor.TotalBytes, monitor.BytesRead);
        Assert.Equal(outcome.Session.EventsRead, monitor.Latest!.EventsRead);
        Assert.Equal(outcome.Analysis.Pool, monitor.Latest.Engine.Pool);
        PlantedBugs.AssertExactly(outcome.Analysis.Findings.Select(FindingSignature.From));
    }
}
