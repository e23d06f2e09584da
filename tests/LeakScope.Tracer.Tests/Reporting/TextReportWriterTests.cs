using LeakScope.Tracer.Reporting;

namespace LeakScope.Tracer.Tests.Reporting;

public class TextReportWriterTests
{
    [Fact]
    public void Summary_comes_first_then_findings_grouped_by_kind_largest_first()
    {
        string text = TextReportWriter.ToText(ReportFixture.Create());
        string[] lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        Assert.StartsWith("LeakScope report — pid 1234: dotnet Demo.dll", lines[0], StringComparison.Ordinal);
        int summary = Array.FindIndex(lines, l => l == "Summary");
        int leak = Array.FindIndex(lines, l => l.StartsWith("leak — 2 site(s), 4 blocks, 440 B", StringComparison.Ordinal));
        int mismatched = Array.FindIndex(lines, l => l.StartsWith("mismatched-free —", StringComparison.Ordinal));
        int invalid = Array.FindIndex(lines, l => l.StartsWith("invalid-free —", StringComparison.Ordinal));
        Assert.True(summary > 0 && summary < leak && leak < mismatched && mismatched < invalid, text);
        Assert.Contains("account: COMPLETE", text, StringComparison.Ordinal);

        // Within a kind, the site with the most bytes first.
        int pool = Array.FindIndex(lines, l => l.Contains("240 B  allocated at Program.cs:60 (PlantedBugs)", StringComparison.Ordinal));
        int raw = Array.FindIndex(lines, l => l.Contains("200 B  allocated at Program.cs:64 (PlantedBugs)", StringComparison.Ordinal));
        Assert.True(pool > leak && raw > pool, text);
        Assert.Contains("freed by pool at Program.cs:68 (PlantedBugs)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_incomplete_account_is_said_up_front_with_its_reasons()
    {
        string text = TextReportWriter.ToText(ReportFixture.Create(eventsLost: 5));

        Assert.Contains("account: INCOMPLETE — 5 events lost", text, StringComparison.Ordinal);
        Assert.Contains("[uncertain]", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("INCOMPLETE", StringComparison.Ordinal) < text.IndexOf("Summary", StringComparison.Ordinal));
    }
}
