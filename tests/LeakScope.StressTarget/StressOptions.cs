using System.Globalization;

namespace LeakScope.StressTarget;

/// <summary>
/// <c>--threads N</c> workers (default 4) doing <c>--ops N</c> operations each (default 20000); <c>--flood N</c> instead
/// runs N alloc/free pairs on one thread as fast as it can; <c>--forever</c> keeps churning (and leaking one block per
/// tick, one tick a line of standard input) after the work until killed; <c>--wait-for-file PATH</c> waits (≤ 60 s) after
/// printing HEAPSTATS until PATH exists; <c>--throw</c> then dies of an unhandled exception; <c>--wait-for-tracer</c>
/// waits (≤ 30 s) for a session before working; <c>--leak-every-ms N</c> instead leaks one 40 B raw block every N ms on
/// one thread until killed, printing <c>LEAK count timestamp</c> (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>) after each.
/// </summary>
internal sealed record StressOptions(
    int Threads = 4, int Ops = 20_000, int Flood = 0, bool Forever = false, string? WaitForFile = null, bool Throw = false, bool WaitForTracer = false, int LeakEveryMs = 0)
{
    public static StressOptions Parse(string[] args)
    {
        var options = new StressOptions();
        for (int i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--threads" => options with { Threads = Number(args, ++i) },
                "--ops" => options with { Ops = Number(args, ++i) },
                "--flood" => options with { Flood = Number(args, ++i) },
                "--forever" => options with { Forever = true },
                "--wait-for-file" => options with { WaitForFile = args[++i] },
                "--throw" => options with { Throw = true },
                "--wait-for-tracer" => options with { WaitForTracer = true },
                "--leak-every-ms" => options with { LeakEveryMs = Number(args, ++i) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }

    private static int Number(string[] args, int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
}
