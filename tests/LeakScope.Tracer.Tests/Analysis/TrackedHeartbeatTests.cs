using System.Text.Json;
using System.Xml.Linq;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>
/// The heartbeat carries the tracked families' counts (Heartbeat version 2): the completeness check compares them with the
/// tracer's account like raw and pool, and the live series (JSON <c>liveSeries</c>, the HTML chart) shows every family.
/// </summary>
public class TrackedHeartbeatTests
{
    private static readonly FamilyCounts None = default;

    /// <summary>A native leak of 100 B, an hglobal block of 48 B allocated and freed, then a final heartbeat.</summary>
    private static TraceScript Stream(IReadOnlyDictionary<HeapFamily, FamilyCounts> target) => TraceScript.Given()
        .Site(1, 10).Site(2, 20)
        .Heartbeat(None, None, new Dictionary<HeapFamily, FamilyCounts>())
        .Alloc(1, 100, site: 1, HeapFamily.Native)
        .Alloc(2, 48, site: 2, HeapFamily.HGlobal)
        .Heartbeat(None, None, new Dictionary<HeapFamily, FamilyCounts> { [HeapFamily.Native] = new(1, 100, 1, 0), [HeapFamily.HGlobal] = new(1, 48, 1, 0) })
        .Free(2, 48, freeSite: 2, HeapFamily.HGlobal)
        .Heartbeat(None, None, target, final: true);

    [Fact]
    public void A_final_heartbeat_whose_tracked_counts_match_the_account_makes_the_report_complete()
    {
        AnalysisResult result = Stream(new Dictionary<HeapFamily, FamilyCounts> { [HeapFamily.Native] = new(1, 100, 1, 0), [HeapFamily.HGlobal] = new(0, 0, 1, 1) }).When();

        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.Equal(HeartbeatVerdict.Verified, result.Completeness.Heartbeat);
        Assert.Equal(new FamilyCounts(1, 100, 1, 0), result.Completeness.CheckedAgainst!.TargetTracked.Single(t => t.Key == HeapFamily.Native).Value);
    }

    [Fact]
    public void The_text_report_names_the_tracked_families_it_checked_against_the_target()
    {
        AnalysisResult result = Stream(new Dictionary<HeapFamily, FamilyCounts> { [HeapFamily.Native] = new(1, 100, 1, 0), [HeapFamily.HGlobal] = new(0, 0, 1, 1) }).When();

        string text = TextReportWriter.ToText(new TraceReport(result, new TargetInfo(1, "app"), Session: null));

        // Families the target counted nothing in (aligned, cotaskmem) are left out, as in the summary.
        string line = text.Split('\n').Single(l => l.TrimStart().StartsWith("checked at", StringComparison.Ordinal));
        Assert.Contains("target raw 0 blocks, 0 B; pool 0 blocks, 0 B; native 1 block, 100 B; hglobal 0 blocks, 0 B — tracer agreed", line);
    }

    private static readonly StreamSummary LaunchedExit = new(StreamEnd.TargetExited) { FromProcessStart = true };

    [Fact]
    public void Pairs_the_target_counted_but_never_published_are_counted_in_and_said_when_the_trace_saw_the_whole_life()
    {
        // Five native pairs folded on a thread still running at exit: the target counted them, no record carried them.
        AnalysisResult result = Stream(new Dictionary<HeapFamily, FamilyCounts> { [HeapFamily.Native] = new(1, 100, 6, 5), [HeapFamily.HGlobal] = new(0, 0, 1, 1) }).When(LaunchedExit);

        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.Equal(new FamilyCounts(1, 100, 6, 5), result.Tracked.Single(t => t.Key == HeapFamily.Native).Value);
        Assert.Equal(new FamilyCounts(0, 0, 1, 1), result.Tracked.Single(t => t.Key == HeapFamily.HGlobal).Value);
        string note = Assert.Single(result.Completeness.Notes);
        Assert.Contains("5 alloc/free pairs (native 5)", note);
        Assert.Contains("note: 5 alloc/free pairs", TextReportWriter.ToText(new TraceReport(result, new TargetInfo(1, "app"), Session: null)));
    }

    [Fact]
    public void Lifetime_counts_that_differ_in_any_other_way_make_the_account_incomplete()
    {
        AnalysisResult result = Stream(new Dictionary<HeapFamily, FamilyCounts> { [HeapFamily.Native] = new(1, 100, 3, 1), [HeapFamily.HGlobal] = new(0, 0, 1, 1) }).When(LaunchedExit);

        Assert.False(result.Completeness.Complete);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("native target 3 allocations / 1 frees vs tracer 1 / 0", StringComparison.Ordinal));
        Assert.Contains("allocation and free counts per family", result.Completeness.UncertainFigures);
        Assert.Empty(result.Completeness.Notes);
    }

    [Fact]
    public void An_attached_trace_does_not_compare_lifetime_counts_it_never_saw_the_start_of()
    {
        AnalysisResult result = Stream(new Dictionary<HeapFamily, FamilyCounts> { [HeapFamily.Native] = new(1, 100, 6, 5), [HeapFamily.HGlobal] = new(0, 0, 1, 1) }).When();

        Assert.True(result.Completeness.Complete);
        Assert.Empty(result.Completeness.Notes);
        Assert.Equal(new FamilyCounts(1, 100, 1, 0), result.Tracked.Single(t => t.Key == HeapFamily.Native).Value);
    }

    [Theory]
    [InlineData(HeapFamily.Native, 2L, 200L, "native target 2 blocks / 200 B vs tracer 1 / 100")]
    [InlineData(HeapFamily.HGlobal, 1L, 48L, "hglobal target 1 blocks / 48 B vs tracer 0 / 0")]
    [InlineData(HeapFamily.CoTaskMem, 1L, 8L, "cotaskmem target 1 blocks / 8 B vs tracer 0 / 0")]
    public void A_tracked_family_the_target_counts_differently_makes_the_report_incomplete(HeapFamily family, long blocks, long bytes, string expected)
    {
        var target = new Dictionary<HeapFamily, FamilyCounts> { [HeapFamily.Native] = new(1, 100, 1, 0), [HeapFamily.HGlobal] = new(0, 0, 1, 1) };
        target[family] = new FamilyCounts(blocks, bytes, 0, 0);

        AnalysisResult result = Stream(target).When();

        // Raw and pool agree (both empty): only the tracked family can make it fail.
        Assert.False(result.Completeness.Complete);
        Assert.Equal(HeartbeatVerdict.Mismatch, result.Completeness.Heartbeat);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void The_json_live_series_and_the_html_chart_show_every_family_with_its_bytes()
    {
        AnalysisResult result = Stream(new Dictionary<HeapFamily, FamilyCounts> { [HeapFamily.Native] = new(1, 100, 1, 0), [HeapFamily.HGlobal] = new(0, 0, 1, 1) }).When();
        var report = new TraceReport(result, new TargetInfo(1, "app"), Session: null);

        using JsonDocument json = JsonDocument.Parse(JsonReportWriter.ToJson(report));
        JsonElement[] series = json.RootElement.GetProperty("liveSeries").EnumerateArray().ToArray();
        Assert.Equal(3, series.Length);
        Assert.Equal((100L, 48L, 0L), (series[1].GetProperty("nativeLiveBytes").GetInt64(), series[1].GetProperty("hglobalLiveBytes").GetInt64(), series[1].GetProperty("cotaskmemLiveBytes").GetInt64()));
        Assert.Equal((1L, 1L), (series[1].GetProperty("nativeLiveBlocks").GetInt64(), series[1].GetProperty("hglobalLiveBlocks").GetInt64()));
        Assert.Equal((100L, 0L), (series[2].GetProperty("nativeLiveBytes").GetInt64(), series[2].GetProperty("hglobalLiveBytes").GetInt64()));
        JsonElement counts = json.RootElement.GetProperty("completeness").GetProperty("targetCounts");
        Assert.Equal(100L, counts.GetProperty("native").GetProperty("liveBytes").GetInt64());

        // The chart: raw, pool, the two tracked families used, and the total; each line through every point at its bytes.
        XDocument doc = XDocument.Parse(HtmlReportWriter.ToHtml(report).Replace("<!DOCTYPE html>", string.Empty, StringComparison.Ordinal));
        XElement chart = doc.Descendants().Single(e => (string?)e.Attribute("id") == "live-chart");
        string[] lines = chart.Elements().Where(e => e.Name.LocalName == "polyline").Select(p => ((string)p.Attribute("class")!).Replace("series ", string.Empty, StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "total", "raw", "pool", "native", "hglobal" }, lines);
        double Y(string css, int point) => double.Parse(
            ((string)chart.Elements().Single(e => (string?)e.Attribute("class") == "series " + css).Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries)[point].Split(',')[1],
            System.Globalization.CultureInfo.InvariantCulture);

        // Same bytes, same height: native's 100 B at the second point equals the total's at the third (only native live).
        Assert.Equal(Y("total", 2), Y("native", 1));
        Assert.True(Y("hglobal", 1) > Y("native", 1), "48 B drawn lower than 100 B");
        Assert.Equal(Y("raw", 1), Y("hglobal", 2));
    }
}
