using System.Diagnostics;
using System.Globalization;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// After a fault: no child of this test process is left running (or unreaped) and no diagnostic socket of a process a
/// test started is left in the temp directory. A killed .NET process cannot remove its own socket: those leftovers are
/// removed here, and the check is that none remains.
/// </summary>
internal static class ProcessHygiene
{
    /// <summary>The tracer's own reverse-port sockets (<c>leakscope-&lt;our pid&gt;-*.sock</c>) now.</summary>
    public static string[] LauncherSockets() =>
        Directory.EnumerateFiles(Path.GetTempPath(), $"leakscope-{Environment.ProcessId}-*.sock").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Waits (bounded) until <paramref name="pid"/> is gone and reaped, removes its leftover sockets, and fails if any remain.</summary>
    public static async Task AssertGoneAsync(int pid, TimeSpan? bound = null)
    {
        TimeSpan limit = bound ?? TimeSpan.FromSeconds(10);
        await Waits.ProcessExitAsync(pid, limit);
        Assert.False(IsOurChild(pid, out string state), $"process {pid} is still a child of the test process (state {state}) after it exited");

        TestProcess.RemoveSockets(pid);
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*"));
    }

    /// <summary>Fails if a child of this test process runs one of the programs the tests start (or is a zombie) once the ones exiting now have exited (bounded).</summary>
    public static async Task AssertNoOrphansAsync()
    {
        var clock = Stopwatch.StartNew();
        TimeSpan limit = TimeSpan.FromSeconds(10);
        foreach (int pid in OrphanIds())
        {
            TimeSpan left = limit - clock.Elapsed;
            try
            {
                await Waits.ProcessExitAsync(pid, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                break; // Reported below, with every child still there.
            }
        }

        string[] orphans = Orphans();
        Assert.True(orphans.Length == 0, "children left behind: " + string.Join("; ", orphans));
    }

    /// <summary>Children of this test process running a program the tests start, or unreaped (zombies).</summary>
    public static string[] Orphans() => OrphanIds().Select(pid => $"{pid} [{State(pid)}] {ReadCommandLine(pid)}").ToArray();

    private static string State(int pid) => IsOurChild(pid, out string state) ? state : "gone";

    private static int[] OrphanIds()
    {
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && IsOurChild(pid, out string state))
            {
                string command = ReadCommandLine(pid);
                if (state == "Z" || command.Contains("MisuseDemo.dll", StringComparison.Ordinal) || command.Contains("LeakScope.StressTarget.dll", StringComparison.Ordinal)
                    || command.StartsWith("sleep ", StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
        }

        return found.ToArray();
    }

    /// <summary>True when <paramref name="pid"/> exists and its parent is this test process (a zombie included).</summary>
    private static bool IsOurChild(int pid, out string state)
    {
        state = string.Empty;
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            state = fields[0];
            return int.Parse(fields[1], CultureInfo.InvariantCulture) == Environment.ProcessId;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    private static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
