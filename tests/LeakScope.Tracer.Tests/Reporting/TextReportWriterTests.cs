using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;
using LeakScope.Tracer.Tests.Analysis;

namespace LeakScope.Tracer.Tests.Reporting;

public class TextReportWriterTests
{
    private static string GoldenPath => Path.Combine(AppContext.BaseDirectory, "Golden", "report.txt");

    [Fact]
    public void The_report_matches_the_golden_file()
    {
        string text = TextReportWriter.ToText(ReportFixture.Create()).ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("LEAKSCOPE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Golden", "report.txt"), text);
        }

        Assert.Equal(File.ReadAllText(GoldenPath).ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void Summary_comes_first_then_findings_grouped_by_kind_largest_first()
    {
        string text = TextReportWriter.ToText(ReportFixture.Create());
        string[] lines = Lines(text);

        Assert.StartsWith("LeakScope report — pid 1234: dotnet Demo.dll", lines[0], StringComparison.Ordinal);
        int summary = Array.FindIndex(lines, l => l == "Summary");
        int leak = Array.IndexOf(lines, "leak — 2 sites, 4 blocks, 440 B total");
        int mismatched = Array.IndexOf(lines, "mismatched-free — 1 site, 1 block, 64 B total");
        int invalid = Array.IndexOf(lines, "invalid-free — 1 site, 1 call, 0 B total");
        Assert.True(summary > 0 && summary < leak && leak < mismatched && mismatched < invalid, text);
        Assert.Contains("account: COMPLETE", text, StringComparison.Ordinal);

        // Within a kind, the site with the most bytes first.
        int pool = Array.FindIndex(lines, l => l.Contains("240 B total  allocated at Program.cs:60 (PlantedBugs)", StringComparison.Ordinal));
        int raw = Array.FindIndex(lines, l => l.Contains("200 B total  allocated at Program.cs:64 (PlantedBugs)", StringComparison.Ordinal));
        Assert.True(pool > leak && raw > pool, text);
        Assert.Contains("freed by pool at Program.cs:68 (PlantedBugs)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finding_line_says_how_many_of_what_and_the_bytes_in_total_not_count_times_size()
    {
        string[] lines = Lines(TextReportWriter.ToText(ReportFixture.Create()));

        // Three pool blocks of 80 B: 240 B in all. "3 × 240 B" would read as 720 B.
        Assert.Contains("  pool       3 blocks      240 B total  allocated at Program.cs:60 (PlantedBugs)", lines);
        Assert.Contains("  raw        1 block       200 B total  allocated at Program.cs:64 (PlantedBugs)", lines);
        Assert.DoesNotContain(lines, l => l.Contains(" × ", StringComparison.Ordinal));
        Assert.Contains("  live at end          4 blocks        440 B   (raw 1 block, 200 B; pool 3 blocks, 240 B)", lines);
    }

    [Fact]
    public void A_growth_line_names_the_live_blocks_at_the_end_apart_from_the_bytes_gained()
    {
        // Two 512 B blocks before the first heartbeat, then one more in each of four windows: 6 live blocks
        // (3,072 B) at the end, of which 2,048 B were gained while the site was watched.
        TraceScript script = TraceScript.Given().Site(1, 33, "Cache", "/src/App/Cache.cs")
            .Alloc(1, 512, site: 1).Alloc(2, 512, site: 1)
            .Heartbeat(0, 0, 2, 1024);
        for (long id = 3; id <= 6; id++)
        {
            script.Alloc(id, 512, site: 1).Heartbeat(0, 0, id, id * 512);
        }

        AnalysisResult result = script.When(new StreamSummary(StreamEnd.Duration));
        string[] lines = Lines(TextReportWriter.ToText(new TraceReport(result, new TargetInfo(7, "dotnet Cache.dll"), Session: null)));

        Assert.Contains("growth — 1 site, 6 live blocks at end, 2,048 B gained", lines);
        Assert.Contains("  pool       6 live blocks at end    2,048 B gained  allocated at Cache.cs:33 (Cache)", lines);
        Assert.Contains("        live bytes 1,024 B → 3,072 B (peak 3,072 B), rose in 4 of 4 heartbeat windows, fell in 0", lines);
        Assert.Contains("leak — 1 site, 6 blocks, 3,072 B total", lines);
    }

    [Fact]
    public void An_incomplete_account_is_said_up_front_with_its_reasons()
    {
        string text = TextReportWriter.ToText(ReportFixture.Create(eventsLost: 5));

        Assert.Contains("account: INCOMPLETE — 5 events lost", text, StringComparison.Ordinal);
        Assert.Contains("[uncertain]", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("INCOMPLETE", StringComparison.Ordinal) < text.IndexOf("Summary", StringComparison.Ordinal));
    }

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
}
