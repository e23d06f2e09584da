namespace LeakScope.Benchmarks.Ratios;

/// <summary>The process's resident set as the kernel reports it (VmRSS in /proc/self/status).</summary>
internal static class ProcessMemory
{
    public static long ResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim()) * 1024;
            }
        }

        throw new InvalidOperationException("/proc/self/status has no VmRSS line.");
    }
}
