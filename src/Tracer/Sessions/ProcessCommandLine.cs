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
}
