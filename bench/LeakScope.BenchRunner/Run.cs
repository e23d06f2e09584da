using System.Diagnostics;
using System.Globalization;

namespace LeakScope.BenchRunner;

/// <summary>One finished child process: its output lines with the moment each arrived, and when it exited.</summary>
internal sealed record Run(int ExitCode, IReadOnlyList<(TimeSpan At, string Line)> Lines, TimeSpan Exited, string Errors)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);

    /// <summary>The milliseconds of the <c>WORKLOAD name ms</c> line.</summary>
    public double WorkloadMs
    {
        get
        {
            string? line = Lines.Select(l => l.Line).FirstOrDefault(l => l.StartsWith("WORKLOAD ", StringComparison.Ordinal));
            return line is null
                ? throw new InvalidOperationException($"no WORKLOAD line (exit {ExitCode}):\n{string.Join('\n', Lines.Select(l => l.Line))}\n{Errors}")
                : double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The milliseconds of the <c>WORKLOADCPU name ms</c> line (the main thread's CPU time), NaN when absent.</summary>
    public double WorkloadCpuMs
    {
        get
        {
            string? line = Lines.Select(l => l.Line).FirstOrDefault(l => l.StartsWith("WORKLOADCPU ", StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);
        }
    }

    /// <summary>When the first line starting with <paramref name="prefix"/> arrived.</summary>
    public TimeSpan? LineAt(string prefix) => Lines.Where(l => l.Line.StartsWith(prefix, StringComparison.Ordinal)).Select(l => (TimeSpan?)l.At).FirstOrDefault();

    public static Run Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var lines = new List<(TimeSpan, string)>();
        var errors = new System.Text.StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add((clock.Elapsed, e.Data));
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Bound))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} ran longer than {Bound}");
        }

        TimeSpan exited = clock.Elapsed;
        process.WaitForExit(); // drain the output
        lock (lines)
        {
            return new Run(process.ExitCode, lines.ToArray(), exited, errors.ToString());
        }
    }
}
