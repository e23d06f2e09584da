using System.Globalization;
using System.Text;
using System.Xml;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// JUnit XML for CI test views, green exactly when the gate passed: one test suite <c>leakscope</c> with a test case
/// <c>gate</c> (failed, with the gate's reasons, when the gate failed) and one test case per finding kind (all of
/// them, so a clean kind shows as passed) holding a <c>&lt;failure&gt;</c> per finding that fails the gate. Findings
/// that do not fail it — suppressed, of a kind outside <c>--fail-on</c>, leaks within <c>--max-leaked-bytes</c> — are
/// named in their kind's <c>system-out</c>, and the case passes. The gate's verdict is also a suite property.
/// </summary>
public static class JUnitReportWriter
{
    /// <summary>The report as a JUnit XML document.</summary>
    public static string ToXml(TraceReport report)
    {
        using var buffer = new MemoryStream();
        Write(report, buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the JUnit XML report to <paramref name="output"/> as UTF-8.</summary>
    public static void Write(TraceReport report, Stream output)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true,
            Encoding = new UTF8Encoding(false),
            CheckCharacters = true,
        };
        using var w = XmlWriter.Create(output, settings);
        GateResult gate = report.Gate;
        string? targetExit = gate.TargetExit;
        int failures = gate.Failing.Count + (gate.Passed ? 0 : 1) + (targetExit is null ? 0 : 1);
        int cases = FindingKinds.All.Count + 1 + (targetExit is null ? 0 : 1);
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

        w.WriteStartElement("testcase");
        w.WriteAttributeString("classname", "leakscope.gate");
        w.WriteAttributeString("name", "gate");
        w.WriteAttributeString("time", "0");
        if (!gate.Passed)
        {
            w.WriteStartElement("failure");
            w.WriteAttributeString("type", "gate");
            w.WriteAttributeString("message", Clean($"Gate failed ({gate.Policy.Describe()}): {string.Join("; ", gate.Reasons)}"));
            w.WriteString(Clean(string.Join('\n', gate.Reasons)));
            w.WriteEndElement();
        }
        else
        {
            w.WriteElementString("system-out", Clean($"Gate passed ({gate.Policy.Describe()})"));
        }

        w.WriteEndElement();

        foreach (FindingKindInfo kind in FindingKinds.All)
        {
            w.WriteStartElement("testcase");
            w.WriteAttributeString("classname", "leakscope." + kind.Name);
            w.WriteAttributeString("name", kind.Name);
            w.WriteAttributeString("time", "0");
            foreach (Finding f in gate.Failing.Where(f => f.Kind == kind.Kind))
            {
                w.WriteStartElement("failure");
                w.WriteAttributeString("type", kind.Name);
                w.WriteAttributeString("message", Clean($"{Where(f.Site)}: {FindingText.Describe(f)}"));
                w.WriteString(Clean(Details(f)));
                w.WriteEndElement();
            }

            string[] passing = gate.NotFailing.Where(f => f.Kind == kind.Kind)
                .Select(f => $"does not fail the gate ({WhyNotFailing(f, gate.Policy)}): {Where(f.Site)}: {FindingText.Describe(f)}")
                .Concat(gate.Suppressed.Where(s => s.Finding.Kind == kind.Kind)
                    .Select(s => $"suppressed by {s.By.Location} ({s.By}): {Where(s.Finding.Site)}: {FindingText.Describe(s.Finding)}"))
                .ToArray();
            if (passing.Length > 0)
            {
                w.WriteElementString("system-out", Clean(string.Join('\n', passing)));
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

    private static string WhyNotFailing(Finding f, GatePolicy policy) =>
        f.Kind == FindingKind.Leak && policy.MaxLeakedBytes is { } budget
            ? $"leaks within --max-leaked-bytes {budget.ToString("N0", CultureInfo.InvariantCulture)}"
            : $"{FindingKinds.Name(f.Kind)} is not in --fail-on";

    private static string Details(Finding f)
    {
        FindingKindInfo kind = FindingKinds.Of(f.Kind);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{kind.Name} ({ReportNames.Family(f.Family)}): {kind.Amount(f.Count, f.Bytes)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {kind.SiteRole} {Where(f.Site)} ({f.Site.Member})\n");
        if (f.FreeSite is { } free)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {kind.FreeSiteVerb} at {Where(free)} ({free.Member})\n");
        }

        foreach (ViewSite view in f.Views)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {view.Count:N0} {(view.Count == 1 ? "view" : "views")} acquired at {Where(view.Site)} ({view.Site.Member})\n");
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
