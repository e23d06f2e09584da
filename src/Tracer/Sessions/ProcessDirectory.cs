using System.Globalization;
using System.Text.RegularExpressions;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The processes that can be traced: every <c>dotnet-diagnostic-&lt;pid&gt;-&lt;key&gt;-socket</c> in the temp
/// directory whose process still runs and started when the socket's key says (a dead process's socket under a reused pid
/// is not that process's). <c>DiagnosticsClient.GetPublishedProcesses</c> is not used: it throws as
/// root when <c>/proc/2/environ</c> is unreadable. Sockets of dead processes (killed targets leave them) are skipped.
/// </summary>
public static partial class ProcessDirectory
{
    /// <summary>Every process that can be traced now, with whether it has loaded LeakScope.Allocator.</summary>
    public static IReadOnlyList<TraceableProcess> List()
    {
        var pids = new SortedSet<int>();
        string temp = Path.GetTempPath();
        try
        {
            foreach (string socket in Directory.EnumerateFiles(temp, "dotnet-diagnostic-*-socket"))
            {
                Match m = SocketName().Match(Path.GetFileName(socket));
                if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid != Environment.ProcessId
                    && IsOwnSocket(pid, m.Groups[2].Value))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TargetUnavailableException($"cannot list the diagnostic sockets in {temp}: {e.Message}", e);
        }

        var processes = new List<TraceableProcess>();
        foreach (int pid in pids)
        {
            if (ProcessCommandLine.IsRunning(pid))
            {
                string commandLine = ProcessCommandLine.Read(pid) ?? string.Empty;
                processes.Add(new TraceableProcess(pid, NameOf(pid, commandLine), commandLine, UsesAllocator(pid)));
            }
        }

        return processes;
    }

    /// <summary>
    /// The one traceable process called <paramref name="name"/>: its process name, or the program it runs
    /// (<c>dotnet MyApp.dll</c> is <c>MyApp</c>), compared case-insensitively, with or without <c>.dll</c> / <c>.exe</c>.
    /// </summary>
    public static int FindByName(string name)
    {
        string wanted = StripExtension(Path.GetFileName(name));
        TraceableProcess[] matches = List()
            .Where(p => string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase)
                || string.Equals(StripExtension(ProcessName(p.Pid)), wanted, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        return matches.Length switch
        {
            1 => matches[0].Pid,
            0 => throw new TargetUnavailableException($"no traceable .NET process named '{name}' (see 'leakscope ps')"),
            _ => throw new TargetUnavailableException($"{matches.Length} processes are named '{name}' ({string.Join(", ", matches.Select(p => p.Pid))}): choose one with --process-id"),
        };
    }

    /// <summary>The program a command line runs: the first <c>.dll</c> argument of a <c>dotnet</c> host, else the executable's name.</summary>
    internal static string NameOf(int pid, string commandLine)
    {
        string[] parts = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 0)
        {
            string host = StripExtension(Path.GetFileName(parts[0]));
            if (string.Equals(host, "dotnet", StringComparison.OrdinalIgnoreCase))
            {
                string? dll = parts.Skip(1).FirstOrDefault(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
                if (dll is not null)
                {
                    return StripExtension(Path.GetFileName(dll));
                }
            }

            return host;
        }

        return ProcessName(pid);
    }

    private static string ProcessName(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>
    /// False when the process is surely not .NET: its memory map is readable and holds no .NET runtime
    /// (<c>libcoreclr.so</c>), and it has no diagnostic socket of its own here (a single-file app links the runtime in,
    /// but has one). A socket counts only when its disambiguation key is this process's start time: a .NET process that
    /// died without removing its socket leaves one under a pid the system may give to any later process.
    /// </summary>
    public static bool MayBeDotNet(int pid)
    {
        try
        {
            if (File.ReadLines($"/proc/{pid}/maps").Any(line => line.EndsWith("/libcoreclr.so", StringComparison.Ordinal)))
            {
                return true;
            }

            ulong? started = StartTime(pid);
            return Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket")
                .Any(socket => started is null || socket.EndsWith(string.Create(CultureInfo.InvariantCulture, $"-{pid}-{started}-socket"), StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>True when a socket keyed <paramref name="key"/> can be <paramref name="pid"/>'s own (its start time matches, or is unreadable).</summary>
    private static bool IsOwnSocket(int pid, string key) =>
        StartTime(pid) is not { } started || key == started.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The process's start time in clock ticks since boot (field 22 of <c>/proc/pid/stat</c>): the key the runtime
    /// puts in its diagnostic socket's name (<c>dotnet-diagnostic-{pid}-{key}-socket</c>). Null when unreadable.
    /// </summary>
    internal static ulong? StartTime(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces or parentheses: fields 3… follow the last ')'.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 && ulong.TryParse(fields[19], out ulong ticks) ? ticks : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool? UsesAllocator(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/maps"))
            {
                if (line.EndsWith("/LeakScope.Allocator.dll", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string StripExtension(string name) =>
        name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;

    [GeneratedRegex(@"^dotnet-diagnostic-(\d+)-(\d+)-socket$")]
    private static partial Regex SocketName();
}
