using System.Globalization;

namespace LeakScope.BenchRunner;

/// <summary>
/// <c>--modes</c> (issue 12): every TraceBench workload untraced, under <c>leakscope trace --stacks none | sampled | all</c>,
/// and its C twin natively, under heaptrack and under valgrind memcheck (leak check on) — all at one size per row, so
/// that every ratio of a row is the same work. The size is small (250 K allocations a row at scale 1) because `all` and
/// valgrind are slow; every configuration runs once per round, rounds interleaved so that load hits them alike.
/// </summary>
internal static class Modes
{
    /// <summary>The workload and its scale giving 250 K allocations (×<c>--scale</c>) in both twins.</summary>
    private static readonly (string Name, double Scale, string What)[] Workloads =
    [
        ("small", 0.05, "alloc + free of 64 B, one thread"),
        ("mixed", 0.05, "alloc + free of 16–271 B varying per call, one thread"),
        ("live1m", 0.125, "250 K live blocks of 16–79 B built, then freed"),
        ("threads4", 0.125, "4 threads, each block freed by the next thread"),
    ];

    private static readonly string[] StackModes = ["none", "sampled", "all"];

    public static void Run(Paths paths, Options options, Action<string> say)
    {
        string binary = Native.Build(paths);
        bool heaptrack = Native.Available("heaptrack");
        bool valgrind = Native.Available("valgrind");
        var rows = Workloads.ToDictionary(w => w.Name, _ => new Row());
        string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
        string loadAtStart = Load();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (int round = 0; round < options.Runs; round++)
        {
            Console.Error.WriteLine($"round {round + 1} of {options.Runs} (load average {Load()})");
            foreach ((string name, double baseScale, _) in Workloads)
            {
                string scale = ScaleOf(baseScale, options);
                Row row = rows[name];
                row.Untraced.Add(LeakScope.BenchRunner.Run.Start("dotnet", [paths.TraceBench, name, scale]).WorkloadMs);
                foreach (string mode in StackModes)
                {
                    row.Traced[mode].Add(Tracing.Trace(paths, name, scale, perOperation: false, bufferMB: null, stacks: mode));
                }

                row.Native.Add(LeakScope.BenchRunner.Run.Start(binary, [name, scale]).WorkloadMs);
                if (heaptrack)
                {
                    row.Heaptrack.Add(Native.Heaptrack(binary, name, scale));
                }

                if (valgrind)
                {
                    row.Valgrind.Add(LeakScope.BenchRunner.Run.Start("valgrind", ["--tool=memcheck", "--leak-check=full", "-q", binary, name, scale]).WorkloadMs);
                }
            }
        }

        say($"## Every `--stacks` mode beside heaptrack and valgrind (issue 12): {options.Runs} interleaved rounds, load average {loadAtStart} → {Load()}, {clock.Elapsed.TotalSeconds:F0} s");
        say("");
        say("Each row is one size for every column: 250 K allocations (×`--scale`) in the .NET workload (LeakScope.TraceBench, PoolHeap)");
        say("and in its C twin (bench/native/workloads.c, gcc -O2, glibc malloc), which heaptrack and valgrind memcheck");
        say("(`--leak-check=full`) run. Times are the timed section's WORKLOAD ms, best of the rounds; a .NET ratio divides by the");
        say(".NET untraced best, a C ratio by the C native best, both measured in the same rounds (median ratios in parentheses).");
        say("");
        say("| workload | .NET untraced ms | `none` | `sampled` | `all` | `all` complete, stack events lost | C native ms | heaptrack | valgrind memcheck | `all` / heaptrack |");
        say("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
        foreach ((string name, double baseScale, string what) in Workloads)
        {
            Row r = rows[name];
            List<Tracing.Result> all = r.Traced["all"];
            double allRatio = all.Min(t => t.WorkloadMs) / r.Untraced.Min();
            double heaptrackRatio = r.Heaptrack.Count > 0 ? r.Heaptrack.Min() / r.Native.Min() : double.NaN;
            bool complete = StackModes.All(m => r.Traced[m].All(t => t.Complete));
            say($"| {name} ×{ScaleOf(baseScale, options)} ({what}) | {r.Untraced.Min():F1} "
                + string.Concat(StackModes.Select(m => $"| {Ratio(r.Traced[m].Select(t => t.WorkloadMs).ToList(), r.Untraced)} "))
                + $"| {Tracing.Summary(all.Select(t => t.Complete))}{(complete ? string.Empty : " (NOT every mode complete)")}, {all.Max(t => t.StackEventsLost)} "
                + $"| {r.Native.Min():F1} | {Ratio(r.Heaptrack, r.Native)} | {Ratio(r.Valgrind, r.Native)} | **{allRatio / heaptrackRatio:F1}** |");
        }

        say("");
        say("A cell is `ms (best ratio×, median ratio×)`. heaptrack and valgrind trace glibc's malloc, so they run the C twin: the");
        say("comparison is of slowdowns, each tool against the same program untraced.");
        say("");
    }

    private static string ScaleOf(double baseScale, Options options) => (baseScale * options.Scale).ToString("0.####", CultureInfo.InvariantCulture);

    private static string Ratio(List<double> traced, List<double> baseline) =>
        traced.Count == 0 ? "n/a" : $"{traced.Min():F1} (**{traced.Min() / baseline.Min():F1}×**, {Median(traced) / Median(baseline):F1}×)";

    private static double Median(List<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed class Row
    {
        public List<double> Untraced { get; } = [];

        public Dictionary<string, List<Tracing.Result>> Traced { get; } = StackModes.ToDictionary(m => m, _ => new List<Tracing.Result>());

        public List<double> Native { get; } = [];

        public List<double> Heaptrack { get; } = [];

        public List<double> Valgrind { get; } = [];
    }
}
