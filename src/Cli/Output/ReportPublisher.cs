using LeakScope.Tracer.Reporting;

namespace LeakScope.Cli.Output;

/// <summary>Checks report destinations before a trace starts, and writes every requested report after it.</summary>
internal static class ReportPublisher
{
    /// <summary>Fails early (usage error) when a report file cannot be created, so a long trace is not lost at the end.</summary>
    public static void CheckWritable(ReportRequest request)
    {
        foreach (ReportDestination destination in request.Destinations.Where(d => d.Path is not null))
        {
            string path = destination.Path!;
            try
            {
                string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
                if (directory is not null)
                {
                    Directory.CreateDirectory(directory);
                }

                bool existed = File.Exists(path);
                using (new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
                {
                }

                if (!existed)
                {
                    File.Delete(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UsageException($"cannot write the {ReportWriters.Name(destination.Format)} report to {path}: {e.Message}");
            }
        }
    }

    /// <summary>Writes every report; the exit code is the gate's verdict.</summary>
    public static ExitCode Publish(TraceReport report, ReportRequest request)
    {
        foreach (ReportDestination destination in request.Destinations)
        {
            if (destination.Path is null)
            {
                Console.Out.Flush();
                using Stream stdout = Console.OpenStandardOutput();
                ReportWriters.Write(report, destination.Format, stdout, request.Context);
                continue;
            }

            string? directory = Path.GetDirectoryName(Path.GetFullPath(destination.Path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            using var file = new FileStream(destination.Path, FileMode.Create, FileAccess.Write, FileShare.Read);
            ReportWriters.Write(report, destination.Format, file, request.Context);
        }

        return report.Gate.Passed ? ExitCode.Success : ExitCode.GateFailed;
    }
}
