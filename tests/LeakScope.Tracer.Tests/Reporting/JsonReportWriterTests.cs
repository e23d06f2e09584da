using System.Text.Json;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Tracer.Tests.Reporting;

public class JsonReportWriterTests
{
    private static string GoldenPath => Path.Combine(AppContext.BaseDirectory, "Golden", "report.json");

    [Fact]
    public void The_report_matches_the_golden_file()
    {
        string json = JsonReportWriter.ToJson(ReportFixture.Create());
        if (Environment.GetEnvironmentVariable("LEAKSCOPE_UPDATE_GOLDEN") == "1")
        {
            string source = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Golden", "report.json");
            File.WriteAllText(source, json + "\n");
        }

        Assert.Equal(File.ReadAllText(GoldenPath).TrimEnd(), json.TrimEnd());
    }

    [Fact]
    public void The_contract_fields_come_first_with_their_documented_names_and_types()
    {
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(ReportFixture.Create()));
        JsonElement root = doc.RootElement;

        Assert.Equal(
            new[] { "schemaVersion", "complete", "eventsLost", "target", "summary", "findings" },
            root.EnumerateObject().Select(p => p.Name).Take(6));
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal(0, root.GetProperty("eventsLost").GetInt64());
        Assert.Equal(1234, root.GetProperty("target").GetProperty("pid").GetInt32());
        Assert.Equal("dotnet Demo.dll", root.GetProperty("target").GetProperty("command").GetString());

        JsonElement summary = root.GetProperty("summary");
        Assert.Equal(new[] { "liveBlocks", "liveBytes", "leakedBlocks", "leakedBytes", "findings" }, summary.EnumerateObject().Select(p => p.Name).Take(5));
        Assert.Equal((4, 440, 4, 440, 4), (summary.GetProperty("liveBlocks").GetInt64(), summary.GetProperty("liveBytes").GetInt64(),
            summary.GetProperty("leakedBlocks").GetInt64(), summary.GetProperty("leakedBytes").GetInt64(), summary.GetProperty("findings").GetInt32()));

        JsonElement pool = root.GetProperty("findings").EnumerateArray().First(f => f.GetProperty("family").GetString() == "pool");
        Assert.Equal(new[] { "kind", "family", "count", "bytes", "site" }, pool.EnumerateObject().Select(p => p.Name).Take(5));
        Assert.Equal(("leak", 3, 240), (pool.GetProperty("kind").GetString(), pool.GetProperty("count").GetInt64(), pool.GetProperty("bytes").GetInt64()));
        JsonElement site = pool.GetProperty("site");
        Assert.Equal(("/src/Demo/Program.cs", 60, "PlantedBugs"), (site.GetProperty("file").GetString(), site.GetProperty("line").GetInt32(), site.GetProperty("member").GetString()));

        string[] kinds = root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("kind").GetString()!).ToArray();
        Assert.All(kinds, k => Assert.Contains(k, new[] { "leak", "growth", "mismatched-free", "double-free", "invalid-free", "resize-with-views", "view-leak", "owner-finalized" }));
    }

    [Fact]
    public void An_incomplete_trace_says_how_many_events_were_lost_and_marks_leaks_uncertain()
    {
        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(ReportFixture.Create(eventsLost: 5)));
        JsonElement root = doc.RootElement;

        Assert.False(root.GetProperty("complete").GetBoolean());
        Assert.Equal(5, root.GetProperty("eventsLost").GetInt64());
        Assert.NotEmpty(root.GetProperty("completeness").GetProperty("uncertainFigures").EnumerateArray());
        Assert.All(
            root.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "leak"),
            f => Assert.True(f.GetProperty("uncertain").GetBoolean()));
    }
}
