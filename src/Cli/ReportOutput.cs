using LeakScope.Tracer.Reporting;

namespace LeakScope.Cli;

/// <summary>Writes the report in the requested format to a file, or to standard output.</summary>
internal static class ReportOutput
{
    public static void Write(TraceReport report, ReportFormat format, string? path)
    {
        if (path is null)
        {
            Console.Out.Flush();
            using Stream stdout = Console.OpenStandardOutput();
            WriteTo(report, format, stdout);
            return;
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        WriteTo(report, format, file);
    }

    private static void WriteTo(TraceReport report, ReportFormat format, Stream stream)
    {
        if (format == ReportFormat.Json)
        {
            JsonReportWriter.Write(report, stream);
            stream.WriteByte((byte)'\n');
        }
        else
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            TextReportWriter.Write(report, writer);
        }

        stream.Flush();
    }

    public static ExitCode ExitCodeFor(TraceReport report) =>
        report.Findings.Count > 0 ? ExitCode.Findings : ExitCode.Clean;
}
