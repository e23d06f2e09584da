using System.Text.Encodings.Web;
using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// SARIF 2.1.0 (validated against the OASIS schema in the tests): one run, a rule per finding kind with its
/// description, one result per finding with its rule, level, message and location (the site's file, relative to
/// <c>SRCROOT</c> when under <see cref="ReportContext.SourceRoot"/>, and line) — so GitHub code scanning shows it on
/// the line. Freeing sites and view sites are related locations; suppressed findings are results with an external
/// suppression.
/// </summary>
public static class SarifReportWriter
{
    /// <summary>The <c>$schema</c> the log names.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
    private const string SourceRootId = "SRCROOT";

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The report as a SARIF 2.1.0 log.</summary>
    public static string ToSarif(TraceReport report, ReportContext? context = null)
    {
        using var buffer = new MemoryStream();
        Write(report, buffer, context);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The SARIF level of a kind, from its entry in <see cref="FindingKinds"/>.</summary>
    public static string Level(FindingKind kind) => FindingKinds.Of(kind).SarifLevel;

    /// <summary>Writes the SARIF log to <paramref name="output"/> as UTF-8.</summary>
    public static void Write(TraceReport report, Stream output, ReportContext? context = null)
    {
        context ??= ReportContext.Default;
        using var w = new Utf8JsonWriter(output, Options);
        w.WriteStartObject();
        w.WriteString("$schema", SchemaUri);
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();

        WriteTool(w, context);

        if (context.SourceRoot is { } root)
        {
            w.WriteStartObject("originalUriBaseIds");
            w.WriteStartObject(SourceRootId);
            w.WriteString("uri", new Uri(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + "/").AbsoluteUri);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteStartArray("invocations");
        w.WriteStartObject();
        w.WriteBoolean("executionSuccessful", true);
        w.WriteStartObject("properties");
        w.WriteNumber("targetPid", report.Target.Pid);
        w.WriteString("targetCommand", report.Target.Command);
        if (report.Target.ExitCode is { } exitCode)
        {
            w.WriteNumber("targetExitCode", exitCode);
        }

        w.WriteBoolean("complete", report.Complete);
        w.WriteNumber("eventsLost", report.EventsLost);
        w.WriteBoolean("gatePassed", report.Gate.Passed);
        w.WriteEndObject();
        if (report.Gate.TargetExit is { } targetExit)
        {
            // The launched target's exit failed the gate (TargetExitRule).
            w.WriteStartArray("toolExecutionNotifications");
            w.WriteStartObject();
            w.WriteStartObject("descriptor");
            w.WriteString("id", "target-exit");
            w.WriteEndObject();
            w.WriteString("level", "error");
            w.WriteStartObject("message");
            w.WriteString("text", targetExit);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteEndArray();

        w.WriteStartArray("results");
        foreach (Finding f in report.Findings)
        {
            WriteResult(w, f, null, context);
        }

        foreach (SuppressedFinding s in report.Gate.Suppressed)
        {
            WriteResult(w, s.Finding, s.By, context);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    private static void WriteTool(Utf8JsonWriter w, ReportContext context)
    {
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "LeakScope");
        w.WriteString("fullName", "LeakScope native-memory leak tracker for .NET");
        w.WriteString("version", context.ToolVersion);
        w.WriteString("semanticVersion", context.ToolVersion);
        w.WriteStartArray("rules");
        foreach (FindingKindInfo kind in FindingKinds.All)
        {
            w.WriteStartObject();
            w.WriteString("id", kind.Name);
            w.WriteString("name", Pascal(kind.Name));
            w.WriteStartObject("shortDescription");
            w.WriteString("text", kind.Title);
            w.WriteEndObject();
            w.WriteStartObject("fullDescription");
            w.WriteString("text", kind.Description);
            w.WriteEndObject();
            w.WriteStartObject("help");
            w.WriteString("text", kind.Description);
            w.WriteEndObject();
            w.WriteStartObject("defaultConfiguration");
            w.WriteString("level", kind.SarifLevel);
            w.WriteEndObject();
            w.WriteStartObject("properties");
            w.WriteStartArray("tags");
            w.WriteStringValue("native-memory");
            w.WriteStringValue(kind.Category);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter w, Finding f, Suppression? suppression, ReportContext context)
    {
        FindingKindInfo kind = FindingKinds.Of(f.Kind);
        w.WriteStartObject();
        w.WriteString("ruleId", kind.Name);
        w.WriteNumber("ruleIndex", (int)f.Kind);
        w.WriteString("level", kind.SarifLevel);
        w.WriteStartObject("message");
        w.WriteString("text", FindingText.Describe(f));
        w.WriteEndObject();

        w.WriteStartArray("locations");
        if (f.Site.File.Length > 0)
        {
            w.WriteStartObject();
            WritePhysical(w, f.Site, context);
            WriteLogical(w, f.Site);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        var related = new List<(SiteInfo Site, string Message)>();
        if (f.FreeSite is { } freeSite && freeSite.File.Length > 0)
        {
            related.Add((freeSite, $"{kind.FreeSiteVerb} here"));
        }

        foreach (ViewSite view in f.Views.Where(v => v.Site.File.Length > 0))
        {
            related.Add((view.Site, view.Count == 1 ? "outstanding view acquired here" : $"{view.Count} outstanding views acquired here"));
        }

        if (related.Count > 0)
        {
            w.WriteStartArray("relatedLocations");
            for (int i = 0; i < related.Count; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("id", i + 1);
                WritePhysical(w, related[i].Site, context);
                w.WriteStartObject("message");
                w.WriteString("text", related[i].Message);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        WriteStacks(w, f, context);

        if (suppression is not null)
        {
            w.WriteStartArray("suppressions");
            w.WriteStartObject();
            w.WriteString("kind", "external");
            w.WriteString("status", "accepted");
            w.WriteString("justification", $"leakscope suppression {suppression.Location}: {suppression}");
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteStartObject("properties");
        w.WriteString("family", ReportNames.Family(f.Family));
        w.WriteNumber("count", f.Count);
        w.WriteNumber("bytes", f.Bytes);
        w.WriteBoolean("uncertain", f.Uncertain);
        if (f.Detail is { } detail)
        {
            w.WriteString("detail", detail);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WritePhysical(Utf8JsonWriter w, SiteInfo site, ReportContext context) => WritePhysical(w, site.File, site.Line, context);

    private static void WritePhysical(Utf8JsonWriter w, string file, int line, ReportContext context)
    {
        w.WriteStartObject("physicalLocation");
        w.WriteStartObject("artifactLocation");
        if (context.Relative(file) is { } relative)
        {
            w.WriteString("uri", string.Join('/', relative.Split('/').Select(Uri.EscapeDataString)));
            w.WriteString("uriBaseId", SourceRootId);
        }
        else
        {
            w.WriteString("uri", Path.IsPathRooted(file) ? new Uri(file).AbsoluteUri : string.Join('/', file.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString)));
        }

        w.WriteEndObject();
        if (line > 0)
        {
            w.WriteStartObject("region");
            w.WriteNumber("startLine", line);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>SARIF 2.1.0 <c>result.stacks</c>: one stack object per finding stack (then per freeing stack), frames innermost first.</summary>
    private static void WriteStacks(Utf8JsonWriter w, Finding f, ReportContext context)
    {
        if (f.Stacks.Count == 0 && f.FreeStacks.Count == 0 && f.Views.All(v => v.Stacks.Count == 0))
        {
            return;
        }

        string own = f.Kind switch
        {
            FindingKind.ViewLeak => "view acquired",
            FindingKind.OwnerFinalized => "owner created",
            FindingKind.ResizeWithViews => "resize refused",
            _ => "allocated",
        };
        w.WriteStartArray("stacks");
        foreach ((FindingStack stack, string what) in f.Stacks.Select(s => (s, own))
            .Concat(f.FreeStacks.Select(s => (s, "freed")))
            .Concat(f.Views.SelectMany(v => v.Stacks).Select(s => (s, "outstanding view acquired"))))
        {
            w.WriteStartObject();
            w.WriteStartObject("message");
            string estimated = stack.Estimated ? " (estimated from samples)" : string.Empty;
            w.WriteString("text", $"{what} here: {stack.Count} {(stack.Count == 1 ? "time" : "times")}, {stack.Bytes} bytes{estimated}");
            w.WriteEndObject();
            w.WriteStartArray("frames");
            foreach (CallFrame frame in stack.Frames)
            {
                w.WriteStartObject();
                w.WriteStartObject("location");
                if (frame.File is { } file)
                {
                    WritePhysical(w, file, frame.Line, context);
                }

                w.WriteStartArray("logicalLocations");
                w.WriteStartObject();
                w.WriteString("fullyQualifiedName", frame.Method);
                w.WriteString("kind", "function");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteLogical(Utf8JsonWriter w, SiteInfo site)
    {
        if (site.Member.Length == 0)
        {
            return;
        }

        w.WriteStartArray("logicalLocations");
        w.WriteStartObject();
        w.WriteString("name", site.Member);
        w.WriteString("kind", "member");
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static string Pascal(string kebab) =>
        string.Concat(kebab.Split('-').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
}
