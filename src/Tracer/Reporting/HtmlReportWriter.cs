using System.Globalization;
using System.Net;
using System.Text;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// One self-contained HTML file that works offline (inline CSS, SVG and a few lines of script; a Content-Security-Policy
/// forbids loading anything): the summary and the gate's verdict, live bytes per family over time as an SVG chart,
/// the findings table, the top sites, suppressions and completeness. Every string that comes from the target (site
/// files and members, the command line, details) goes through <see cref="Encode"/>.
/// </summary>
public static partial class HtmlReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The report as one self-contained HTML document.</summary>
    public static string ToHtml(TraceReport report, ReportContext? context = null)
    {
        var html = new StringBuilder(16 * 1024);
        Build(html, report, context ?? ReportContext.Default);
        return html.ToString();
    }

    /// <summary>Writes the HTML report to <paramref name="output"/> as UTF-8.</summary>
    public static void Write(TraceReport report, Stream output, ReportContext? context = null)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write(ToHtml(report, context));
        writer.Flush();
    }

    /// <summary>
    /// HTML-escapes text for element content and quoted attributes (&lt; &gt; &amp; " '), and replaces control
    /// characters and the noncharacters U+FFFE / U+FFFF (which no HTML or XML reader wants) with U+FFFD.
    /// </summary>
    public static string Encode(string? text)
    {
        string encoded = WebUtility.HtmlEncode(text ?? string.Empty);
        return encoded.Any(NotXml)
            ? string.Concat(encoded.Select(c => NotXml(c) ? '\uFFFD' : c))
            : encoded;
    }

    private static bool NotXml(char c) => (c < ' ' && c is not ('\t' or '\n' or '\r')) || c is '\uFFFE' or '\uFFFF';

    private static void Build(StringBuilder h, TraceReport report, ReportContext context)
    {
        AnalysisResult a = report.Analysis;
        GateResult gate = report.Gate;
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
        h.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\" />\n");
        h.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
        h.Append("<meta name=\"generator\" content=\"LeakScope ").Append(Encode(context.ToolVersion)).Append("\" />\n");
        h.Append("<title>LeakScope report — pid ").Append(report.Target.Pid.ToString(Invariant)).Append("</title>\n");
        h.Append("<style>/*<![CDATA[*/\n").Append(Css).Append(FlameCss).Append("/*]]>*/</style>\n</head>\n<body>\n");

        h.Append("<header>\n<h1>LeakScope report</h1>\n");
        h.Append("<p class=\"target\">pid <span id=\"pid\">").Append(report.Target.Pid.ToString(Invariant)).Append("</span>: <code id=\"command\">")
            .Append(Encode(report.Target.Command)).Append("</code></p>\n");
        h.Append("<p>");
        h.Append("<span id=\"verdict\" class=\"badge ").Append(gate.Passed ? "pass" : "fail").Append("\">Gate ")
            .Append(gate.Passed ? "passed" : "failed").Append("</span> ");
        h.Append("<span id=\"account\" class=\"badge ").Append(report.Complete ? "pass" : "warn").Append("\">Account ")
            .Append(report.Complete ? "complete" : "INCOMPLETE").Append("</span> ");
        h.Append("<span class=\"muted\">").Append(Encode(gate.Policy.Describe())).Append("; trace ended: ").Append(Encode(ReportNames.End(a.End)));
        if (report.Target.ExitCode is { } exitCode)
        {
            h.Append("; target exit code ").Append(exitCode.ToString(Invariant));
        }
        else if (report.Target.KilledByTracer)
        {
            h.Append("; target stopped by the tracer");
        }

        h.Append("</span></p>\n</header>\n<main>\n");

        Summary(h, report);
        if (gate.Reasons.Count > 0 || !report.Complete)
        {
            h.Append("<section id=\"reasons\">\n");
            List("Why the gate failed", gate.Reasons, h);
            List("Why the account is incomplete", a.Completeness.Reasons, h);
            List("Figures to doubt", a.Completeness.UncertainFigures, h);
            h.Append("</section>\n");
        }

        h.Append("<section id=\"chart\">\n<h2>Live bytes per family over time</h2>\n");
        Chart(h, report.LiveSeries);
        h.Append("</section>\n");

        FindingsTable(h, report.Findings, "findings", "Findings", context);
        FlameGraphs(h, report.Findings, context);
        TopSites(h, report.Findings, context);
        Suppressions(h, gate, context);

        h.Append("</main>\n<footer class=\"muted\">Generated by LeakScope ").Append(Encode(context.ToolVersion))
            .Append(". Sites are where the allocator was called (file:line, member). See docs/analysis.md for how findings are judged.</footer>\n");
        h.Append("<script>//<![CDATA[\n").Append(Script).Append(FlameScript).Append("//]]></script>\n</body>\n</html>\n");
    }

    private static void Summary(StringBuilder h, TraceReport report)
    {
        AnalysisResult a = report.Analysis;
        h.Append("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
        Card(h, "live at end", $"{FindingText.Bytes(a.LiveBytes)}", $"{a.LiveBlocks.ToString("N0", Invariant)} blocks (raw {FindingText.Bytes(a.Raw.LiveBytes)}, pool {FindingText.Bytes(a.Pool.LiveBytes)}{string.Concat(a.Tracked.Select(t => $", {ReportNames.Family(t.Key)} {FindingText.Bytes(t.Value.LiveBytes)}"))})");
        Card(h, "leaked", FindingText.Bytes(report.LeakedBytes), $"{report.LeakedBlocks.ToString("N0", Invariant)} blocks");
        Card(h, "findings", report.Findings.Count.ToString("N0", Invariant), $"{report.Gate.Suppressed.Count.ToString("N0", Invariant)} suppressed");
        Card(h, "events", (report.Session?.EventsRead ?? a.Statistics.Records).ToString("N0", Invariant), $"{report.EventsLost.ToString("N0", Invariant)} lost, {a.Statistics.Heartbeats.ToString("N0", Invariant)} heartbeats");
        h.Append("</div>\n</section>\n");
    }

    private static void Card(StringBuilder h, string label, string value, string detail) =>
        h.Append("<div class=\"card\"><div class=\"label\">").Append(Encode(label)).Append("</div><div class=\"value\">").Append(Encode(value))
            .Append("</div><div class=\"muted\">").Append(Encode(detail)).Append("</div></div>\n");

    private static void List(string title, IReadOnlyList<string> items, StringBuilder h)
    {
        if (items.Count == 0)
        {
            return;
        }

        h.Append("<h3>").Append(Encode(title)).Append("</h3>\n<ul>\n");
        foreach (string item in items)
        {
            h.Append("<li>").Append(Encode(item)).Append("</li>\n");
        }

        h.Append("</ul>\n");
    }

    private static void FindingsTable(StringBuilder h, IReadOnlyList<Finding> findings, string id, string title, ReportContext context)
    {
        h.Append("<section id=\"").Append(id).Append("\">\n<h2>").Append(Encode(title)).Append(" (").Append(findings.Count.ToString(Invariant)).Append(")</h2>\n");
        if (findings.Count == 0)
        {
            h.Append("<p>No findings.</p>\n</section>\n");
            return;
        }

        h.Append("<table class=\"sortable\">\n<thead><tr><th>kind</th><th>family</th><th class=\"num\">count</th><th class=\"num\">bytes</th><th>site</th><th>member</th><th>details</th></tr></thead>\n<tbody>\n");
        foreach (Finding f in findings)
        {
            h.Append("<tr class=\"").Append(SarifReportWriter.Level(f.Kind)).Append("\"><td>").Append(Encode(ReportNames.Kind(f.Kind)))
                .Append("</td><td>").Append(Encode(ReportNames.Family(f.Family)))
                .Append("</td><td class=\"num\" data-sort=\"").Append(f.Count.ToString(Invariant)).Append("\">").Append(f.Count.ToString("N0", Invariant))
                .Append("</td><td class=\"num\" data-sort=\"").Append(f.Bytes.ToString(Invariant)).Append("\">").Append(Encode(FindingText.Bytes(f.Bytes)))
                .Append("</td><td><code>").Append(Encode(Where(f.Site, context))).Append("</code></td><td><code>").Append(Encode(f.Site.Member))
                .Append("</code></td><td>").Append(Encode(FindingText.Describe(f)));
            AppendReachability(h, f);
            AppendStacks(h, f, context);
            h.Append("</td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void TopSites(StringBuilder h, IReadOnlyList<Finding> findings, ReportContext context)
    {
        var sites = findings
            .GroupBy(f => (f.Site.File, f.Site.Line, f.Site.Member, f.Site.Id))
            // A kind that restates another's bytes (growth restates a leak's) names the site but does not add to its total.
            .Select(g => (Site: g.First().Site, Bytes: g.Sum(f => FindingKinds.Of(f.Kind).RestatesBytes ? 0 : f.Bytes), Count: g.Sum(f => FindingKinds.Of(f.Kind).RestatesBytes ? 0 : f.Count), Kinds: string.Join(", ", g.Select(f => ReportNames.Kind(f.Kind)).Distinct())))
            .OrderByDescending(s => s.Bytes).ThenByDescending(s => s.Count)
            .Take(10)
            .ToArray();
        h.Append("<section id=\"top-sites\">\n<h2>Top sites</h2>\n");
        if (sites.Length == 0)
        {
            h.Append("<p>No site has a finding.</p>\n</section>\n");
            return;
        }

        long max = Math.Max(1, sites.Max(s => s.Bytes));
        h.Append("<table>\n<thead><tr><th>site</th><th>member</th><th>kinds</th><th class=\"num\">count</th><th class=\"num\">bytes</th><th></th></tr></thead>\n<tbody>\n");
        foreach (var s in sites)
        {
            double width = 100.0 * s.Bytes / max;
            h.Append("<tr><td><code>").Append(Encode(Where(s.Site, context))).Append("</code></td><td><code>").Append(Encode(s.Site.Member))
                .Append("</code></td><td>").Append(Encode(s.Kinds))
                .Append("</td><td class=\"num\">").Append(s.Count.ToString("N0", Invariant))
                .Append("</td><td class=\"num\">").Append(Encode(FindingText.Bytes(s.Bytes)))
                .Append("</td><td class=\"bar\"><svg width=\"120\" height=\"10\" role=\"img\" aria-label=\"share of bytes\"><rect width=\"")
                .Append((1.2 * width).ToString("0.#", Invariant)).Append("\" height=\"10\" class=\"barfill\"/></svg></td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void Suppressions(StringBuilder h, GateResult gate, ReportContext context)
    {
        if (gate.Suppressions.Count == 0)
        {
            return;
        }

        h.Append("<section id=\"suppressions\">\n<h2>Suppressions</h2>\n<table>\n<thead><tr><th>where</th><th>suppression</th><th class=\"num\">matched</th></tr></thead>\n<tbody>\n");
        foreach (SuppressionUse use in gate.Suppressions)
        {
            h.Append("<tr").Append(use.Matched == 0 ? " class=\"unused\"" : string.Empty).Append("><td><code>").Append(Encode(use.Suppression.Location))
                .Append("</code></td><td><code>").Append(Encode(use.Suppression.ToString()))
                .Append("</code></td><td class=\"num\">").Append(use.Matched == 0 ? "unused" : use.Matched.ToString("N0", Invariant)).Append("</td></tr>\n");
        }

        h.Append("</tbody>\n</table>\n");
        FindingsTable(h, gate.Suppressed.Select(s => s.Finding).ToArray(), "suppressed", "Suppressed findings", context);
        h.Append("</section>\n");
    }

    /// <summary>A leak's reachability, and each holder path of a retained finding as a "path to root" list, root first.</summary>
    private static void AppendReachability(System.Text.StringBuilder h, Finding f)
    {
        if (f.Reachability is { } reachability)
        {
            h.Append(" <span class=\"reachability\">").Append(Encode(FindingKinds.ReachabilityName(reachability))).Append("</span>");
        }

        foreach (Holder holder in f.Holders)
        {
            h.Append("<details class=\"holders\"><summary>held by ").Append(Encode(holder.Path[0]))
                .Append(" (").Append(holder.Count.ToString("N0", Invariant)).Append(holder.Count == 1 ? " block, " : " blocks, ")
                .Append(Encode(FindingText.Bytes(holder.Bytes))).Append(")</summary><ol class=\"path\">");
            foreach (string step in holder.Path)
            {
                h.Append("<li><code>").Append(Encode(step)).Append("</code></li>");
            }

            h.Append("</ol></details>");
        }
    }

    /// <summary>
    /// The stacks of a finding the flame graphs do not show (leaks and growth are there): a misuse's calls, a view's
    /// acquire, an owner's creation, a blocked resize's outstanding views; each a list of frames, innermost first.
    /// </summary>
    private static void AppendStacks(StringBuilder h, Finding f, ReportContext context)
    {
        if (f.Kind is FindingKind.Leak or FindingKind.Growth)
        {
            return;
        }

        string own = f.Kind switch
        {
            FindingKind.ViewLeak => "acquired",
            FindingKind.OwnerFinalized => "created",
            FindingKind.ResizeWithViews => "resize called",
            _ => "allocated",
        };
        IEnumerable<(FindingStack Stack, string What)> stacks = f.Stacks.Select(s => (s, own))
            .Concat(f.FreeStacks.Select(s => (s, "freed")))
            .Concat(f.Views.SelectMany(v => v.Stacks).Select(s => (s, "view acquired")));
        foreach ((FindingStack stack, string what) in stacks)
        {
            if (stack.Frames.Count == 0)
            {
                continue;
            }

            h.Append("<details class=\"stack\"><summary>").Append(Encode(what)).Append(" from <code>").Append(Encode(stack.Frames[0].Method))
                .Append("</code> (").Append(stack.Count.ToString("N0", Invariant)).Append(")</summary><ol class=\"frames\">");
            foreach (CallFrame frame in stack.Frames)
            {
                h.Append("<li><code>").Append(Encode(FrameText(frame, context))).Append("</code></li>");
            }

            h.Append("</ol></details>");
        }
    }

    /// <summary>A frame as the report shows it: its file relative to the source root, as sites are.</summary>
    private static string FrameText(CallFrame frame, ReportContext context) =>
        frame.File is null ? frame.Method : $"{frame.Method} ({context.Relative(frame.File) ?? frame.File}:{frame.Line})";

    private static string Where(SiteInfo site, ReportContext context) =>
        site.IsDefined ? $"{context.Relative(site.File) ?? site.File}:{site.Line}" : site.ToString();
}
