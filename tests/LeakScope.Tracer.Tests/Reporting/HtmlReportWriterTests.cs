using System.Xml.Linq;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Tracer.Tests.Reporting;

/// <summary>The HTML report is written as well-formed XHTML-compatible markup, so the tests parse it with XDocument.</summary>
public class HtmlReportWriterTests
{
    private static XDocument Parse(string html) =>
        XDocument.Parse(html.Replace("<!DOCTYPE html>", string.Empty, StringComparison.Ordinal));

    private static IEnumerable<XElement> ById(XDocument doc, string id) =>
        doc.Descendants().Where(e => (string?)e.Attribute("id") == id);

    [Fact]
    public void It_has_the_summary_chart_findings_and_top_sites_and_loads_nothing_from_outside()
    {
        string html = HtmlReportWriter.ToHtml(ReportFixture.Hostile(), ReportContext.Default with { SourceRoot = "/src" });
        XDocument doc = Parse(html);

        Assert.Single(ById(doc, "summary"));
        XElement chart = Assert.Single(ById(doc, "live-chart"));
        Assert.Equal(3, chart.Elements().Count(e => e.Name.LocalName == "polyline"));
        Assert.All(chart.Elements().Where(e => e.Name.LocalName == "polyline"), p => Assert.Equal(4, ((string)p.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));
        XElement findings = Assert.Single(ById(doc, "findings"));
        Assert.Equal(3, findings.Descendants("tbody").Single().Elements("tr").Count());
        Assert.Single(ById(doc, "top-sites"));
        Assert.Equal("Gate failed", ById(doc, "verdict").Single().Value);

        // Self-contained: no external reference of any kind, and a CSP that forbids fetching.
        Assert.DoesNotContain(doc.Descendants(), e => e.Attribute("src") is not null || e.Name.LocalName == "link");
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_string_from_the_target_is_escaped()
    {
        string html = HtmlReportWriter.ToHtml(ReportFixture.Hostile());
        XDocument doc = Parse(html);

        // Exactly one script element (ours), no element the target's strings could have opened.
        Assert.Single(doc.Descendants("script"));
        Assert.DoesNotContain(doc.Descendants(), e => e.Name.LocalName is "img" or "b");
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);

        // The text reads back exactly as the target wrote it (control characters replaced).
        Assert.Equal(ReportFixture.HostileCommand.Replace('\u0001', '\uFFFD'), ById(doc, "command").Single().Value);
        Assert.Contains(doc.Descendants("code"), c => c.Value == ReportFixture.HostileMember);
        Assert.Contains(doc.Descendants("code"), c => c.Value == ReportFixture.HostileFile + ":10");
    }

    [Fact]
    public void Without_heartbeats_the_chart_says_why()
    {
        var report = new TraceReport(TraceScriptResult(), new LeakScope.Tracer.Sessions.TargetInfo(1, "x"), null);
        Assert.Contains("No heartbeat was received", HtmlReportWriter.ToHtml(report), StringComparison.Ordinal);
    }

    private static LeakScope.Tracer.Analysis.AnalysisResult TraceScriptResult() => LeakScope.Tracer.Tests.Analysis.TraceScript.Given().Site(1, 1).Alloc(1, 8, site: 1).When();
}
