using LeakScope.Tracer.Reporting;

namespace LeakScope.Cli.Output;

/// <summary>
/// Checks report destinations before a trace starts, and writes every requested report after it. Each report is
/// written on its own: a file through a temporary file beside it, renamed into place only when complete, so a full
/// disk or an unwritable path never leaves a truncated report and never costs the other reports.
/// </summary>
internal static class ReportPublisher
{
    /// <summary>Fails early (usage error) when a report file cannot be written, so a long trace is not lost at the end.</summary>
    public static void CheckWritable(ReportRequest request)
    {
        foreach (ReportDestination destination in request.Destinations.Where(d => d.Path is not null))
        {
            CheckWritable(destination.Path!, $"the {ReportWriters.Name(destination.Format)} report");
        }
    }

    /// <summary>
    /// Fails early (usage error) when <paramref name="path"/> cannot be written: its directory cannot be created or
    /// written (a temporary file is created and written there), or it is a device that refuses a write (<c>/dev/full</c>).
    /// </summary>
    public static void CheckWritable(string path, string what)
    {
        try
        {
            if (path.Length == 0)
            {
                throw new ArgumentException("the path is empty");
            }

            string full = Resolve(Path.GetFullPath(path));
            if (Directory.Exists(full))
            {
                throw new IOException("it is a directory");
            }

            if (IsSpecial(full))
            {
                using var device = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
                device.Write([(byte)'\n']);
                device.Flush();
                return;
            }

            string? directory = Path.GetDirectoryName(full);
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            if (File.Exists(full) && (File.GetAttributes(full) & FileAttributes.ReadOnly) != 0)
            {
                throw new UnauthorizedAccessException("the file is read-only");
            }

            string probe = TempPathBeside(full);
            try
            {
                using var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
                file.Write(new byte[512]);
                file.Flush(flushToDisk: true);
            }
            finally
            {
                File.Delete(probe);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot write {what} to '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// Writes every report, each independently: one that fails is reported on stderr (one line naming it) and the
    /// others are still written. The exit code is the gate's verdict, or <see cref="ExitCode.TraceFailed"/> when a
    /// report could not be written.
    /// </summary>
    public static ExitCode Publish(TraceReport report, ReportRequest request)
    {
        var failed = new List<string>();
        foreach (ReportDestination destination in request.Destinations)
        {
            try
            {
                Write(report, destination, request.Context);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                failed.Add($"the {ReportWriters.Name(destination.Format)} report was not written to {destination.Path ?? "standard output"}: {e.Message}");
            }
        }

        foreach (string failure in failed)
        {
            ErrorHandling.Fail(failure, ExitCode.TraceFailed);
        }

        if (failed.Count > 0)
        {
            return ExitCode.TraceFailed;
        }

        return report.Gate.Passed ? ExitCode.Success : ExitCode.GateFailed;
    }

    private static void Write(TraceReport report, ReportDestination destination, ReportContext context)
    {
        if (destination.Path is null)
        {
            Console.Out.Flush();
            using Stream stdout = Console.OpenStandardOutput();
            ReportWriters.Write(report, destination.Format, stdout, context);
            stdout.Flush();
            return;
        }

        string full = Resolve(Path.GetFullPath(destination.Path));
        if (IsSpecial(full))
        {
            // A device or pipe: nothing to rename; write it directly.
            using var device = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            ReportWriters.Write(report, destination.Format, device, context);
            device.Flush();
            return;
        }

        string? directory = Path.GetDirectoryName(full);
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        string temporary = TempPathBeside(full);
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                ReportWriters.Write(report, destination.Format, file, context);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>The file a path names, through symbolic links (so a report written through a link replaces the file, not the link).</summary>
    private static string Resolve(string fullPath)
    {
        try
        {
            return File.Exists(fullPath) && File.ResolveLinkTarget(fullPath, returnFinalTarget: true) is { } target ? target.FullName : fullPath;
        }
        catch (IOException)
        {
            return fullPath;
        }
    }

    /// <summary>A path in the device and kernel file systems (<c>/dev/null</c>, <c>/dev/full</c>, <c>/dev/stdout</c>, <c>/proc/…</c>): written in place, never renamed over.</summary>
    private static bool IsSpecial(string fullPath) =>
        !OperatingSystem.IsWindows() && (fullPath.StartsWith("/dev/", StringComparison.Ordinal)
            || fullPath.StartsWith("/proc/", StringComparison.Ordinal)
            || fullPath.StartsWith("/sys/", StringComparison.Ordinal));

    private static string TempPathBeside(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temporary file we could not remove is litter, not a reason to lose the error being reported.
        }
    }
}
