using System.Globalization;
using System.Text;
using System.Xml;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// JUnit XML for CI test views: one test suite <c>leakscope</c>, one test case per finding kind (all eight, so a clean
/// kind shows as passed), and one <c>&lt;failure&gt;</c> per finding that is not suppressed in its kind's case.
/// Suppressed findings are listed in the case's <c>system-out</c>. The gate's verdict is a suite property.
/// </summary>
public static class JUnitReportWriter
{
    public static string ToXml(TraceReport report)
    {
        using var buffer = new MemoryStream();
        Write(report, buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void Write(TraceReport report, Stream output)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true,
            Encoding = new UTF8Encoding(false),
            CheckCharacters = true,
        };
        using var w = XmlWriter.Create(output, settings);
        string? targetExit = report.Gate.TargetExit;
        int failures = report.Findings.Count + (targetExit is null ? 0 : 1);
        int cases = ReportNames.AllKinds.Count + (targetExit is null ? 0 : 1);
        string seconds = (report.Session?.ReadTime.TotalSeconds ?? 0).ToString("0.###", CultureInfo.InvariantCulture);

        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteAttributeString("name", "LeakScope");
        w.WriteAttributeString("tests", Number(cases));
        w.WriteAttributeString("failures", Number(failures));
        w.WriteAttributeString("errors", "0");
        w.WriteAttributeString("time", seconds);

        w.WriteStartElement("testsuite");
        w.WriteAttributeString("name", "leakscope");
        w.WriteAttributeString("tests", Number(cases));
        w.WriteAttributeString("failures", Number(failures));
        w.WriteAttributeString("errors", "0");
        w.WriteAttributeString("skipped", "0");
        w.WriteAttributeString("time", seconds);

        w.WriteStartElement("properties");
        Property(w, "target.pid", Number(report.Target.Pid));
        Property(w, "target.command", Clean(report.Target.Command));
        if (report.Target.ExitCode is { } exitCode)
        {
            Property(w, "target.exitCode", Number(exitCode));
        }

        Property(w, "complete", report.Complete ? "true" : "false");
        Property(w, "eventsLost", Number(report.EventsLost));
        Property(w, "gate", report.Gate.Passed ? "passed" : "failed");
        Property(w, "gate.policy", report.Gate.Policy.Describe());
        w.WriteEndElement();

        foreach (FindingKind kind in ReportNames.AllKinds)
        {
            string name = ReportNames.Kind(kind);
            w.WriteStartElement("testcase");
            w.WriteAttributeString("classname", "leakscope." + name);
            w.WriteAttributeString("name", name);
            w.WriteAttributeString("time", "0");
            foreach (Finding f in report.Findings.Where(f => f.Kind == kind))
            {
                w.WriteStartElement("failure");
                w.WriteAttributeString("type", name);
                w.WriteAttributeString("message", Clean($"{Where(f.Site)}: {FindingText.Describe(f)}"));
                w.WriteString(Clean(Details(f)));
                w.WriteEndElement();
            }

            SuppressedFinding[] suppressed = report.Gate.Suppressed.Where(s => s.Finding.Kind == kind).ToArray();
            if (suppressed.Length > 0)
            {
                w.WriteElementString("system-out", Clean(string.Join('\n', suppressed.Select(s =>
                    $"suppressed by {s.By.Location} ({s.By}): {Where(s.Finding.Site)}: {FindingText.Describe(s.Finding)}"))));
            }

            w.WriteEndElement();
        }

        if (targetExit is not null)
        {
            // The launched target's exit failed the gate (TargetExitRule): a failing case of its own.
            w.WriteStartElement("testcase");
            w.WriteAttributeString("classname", "leakscope.target-exit");
            w.WriteAttributeString("name", "target-exit");
            w.WriteAttributeString("time", "0");
            w.WriteStartElement("failure");
            w.WriteAttributeString("type", "target-exit");
            w.WriteAttributeString("message", Clean(targetExit));
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
        w.Flush();
    }

    private static string Details(Finding f)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{ReportNames.Kind(f.Kind)} ({ReportNames.Family(f.Family)}), {f.Count:N0} × {f.Bytes:N0} B\n");
        text.Append(CultureInfo.InvariantCulture, $"  at {Where(f.Site)} ({f.Site.Member})\n");
        if (f.FreeSite is { } free)
        {
            text.Append(CultureInfo.InvariantCulture, $"  freed at {Where(free)} ({free.Member})\n");
        }

        foreach (ViewSite view in f.Views)
        {
            text.Append(CultureInfo.InvariantCulture, $"  view acquired at {Where(view.Site)} ({view.Site.Member}) × {view.Count:N0}\n");
        }

        return text.ToString();
    }

    private static string Where(SiteInfo site) => site.IsDefined ? $"{site.File}:{site.Line}" : site.ToString();

    private static void Property(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("property");
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("value", value);
        w.WriteEndElement();
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Drops characters XML 1.0 cannot carry (control characters from a hostile target), so the file always parses.</summary>
    private static string Clean(string text)
    {
        if (!text.Any(c => !XmlConvert.IsXmlChar(c)))
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (XmlConvert.IsXmlChar(c))
            {
                clean.Append(c);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                clean.Append(c).Append(text[++i]);
            }
            else
            {
                clean.Append('\uFFFD');
            }
        }

        return clean.ToString();
    }
}
