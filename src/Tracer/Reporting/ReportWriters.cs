namespace LeakScope.Tracer.Reporting;

/// <summary>Writes a report in any <see cref="ReportFormat"/>; names formats as the command line spells them.</summary>
public static class ReportWriters
{
    /// <summary>Writes <paramref name="report"/> in <paramref name="format"/> to <paramref name="output"/> (UTF-8); <paramref name="context"/> is used by the formats that need it.</summary>
    public static void Write(TraceReport report, ReportFormat format, Stream output, ReportContext? context = null)
    {
        switch (format)
        {
            case ReportFormat.Text:
                using (var writer = new StreamWriter(output, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true))
                {
                    TextReportWriter.Write(report, writer);
                }

                break;
            case ReportFormat.Json:
                JsonReportWriter.Write(report, output);
                output.WriteByte((byte)'\n');
                break;
            case ReportFormat.Sarif:
                SarifReportWriter.Write(report, output, context);
                output.WriteByte((byte)'\n');
                break;
            case ReportFormat.JUnit:
                JUnitReportWriter.Write(report, output);
                output.WriteByte((byte)'\n');
                break;
            case ReportFormat.Html:
                HtmlReportWriter.Write(report, output, context);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }

        output.Flush();
    }

    /// <summary>A format as the command line spells it: <c>text</c>, <c>json</c>, <c>sarif</c>, <c>junit</c>, <c>html</c>.</summary>
    public static string Name(ReportFormat format) => format switch
    {
        ReportFormat.JUnit => "junit",
        _ => format.ToString().ToLowerInvariant(),
    };

    /// <summary>The format a command-line name spells, case-insensitively.</summary>
    public static bool TryParse(string text, out ReportFormat format)
    {
        foreach (ReportFormat candidate in Enum.GetValues<ReportFormat>())
        {
            if (string.Equals(Name(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                format = candidate;
                return true;
            }
        }

        format = default;
        return false;
    }

    /// <summary>The file a format goes to when it needs a file and none was named.</summary>
    public static string DefaultFileName(ReportFormat format) => format switch
    {
        ReportFormat.Text => "leakscope-report.txt",
        ReportFormat.Json => "leakscope-report.json",
        ReportFormat.Sarif => "leakscope-report.sarif",
        ReportFormat.JUnit => "leakscope-report.junit.xml",
        ReportFormat.Html => "leakscope-report.html",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}
