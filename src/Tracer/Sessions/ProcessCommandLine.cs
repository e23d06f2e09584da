namespace LeakScope.Tracer.Sessions;

/// <summary>Reads another process's command line (Linux <c>/proc</c>), falling back to its name.</summary>
internal static class ProcessCommandLine
{
    public static string? Read(int pid)
    {
        try
        {
            string path = $"/proc/{pid}/cmdline";
            if (File.Exists(path))
            {
                string raw = File.ReadAllText(path);
                string joined = string.Join(' ', raw.Split('\0', StringSplitOptions.RemoveEmptyEntries));
                if (joined.Length > 0)
                {
                    return joined;
                }
            }

            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    public static bool IsRunning(int pid)
    {
        if (!IsProcess(pid))
        {
            return false;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// False when <paramref name="pid"/> is a thread of another process. Linux answers <c>/proc/&lt;tid&gt;</c> for
    /// threads too (it is only left out of the listing), so a stale diagnostic socket whose pid has been reused as a
    /// thread id would otherwise look like a second copy of that thread's process.
    /// </summary>
    private static bool IsProcess(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("Tgid:", StringComparison.Ordinal))
                {
                    return int.TryParse(line.AsSpan(5).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int tgid) && tgid == pid;
                }
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return !OperatingSystem.IsLinux(); // no /proc entry on Linux: not running; elsewhere, let Process decide
        }
    }
}
