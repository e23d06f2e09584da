using System.Globalization;
using System.Text;
using System.Text.Json;
using LeakScope.BenchRunner;

// dotnet run -c Release --project bench/LeakScope.BenchRunner [-- --quick] [--runs N] [--no-native] [--no-buffers] [--mixed-only] [--modes] [--output file.md]
// Everything printed is measured in this run; ratios divide medians of the same number of runs.
var options = Options.Parse(args);
var paths = Paths.Find();
var report = new StringBuilder();
void Say(string line = "")
{
    Console.WriteLine(line);
    report.AppendLine(line);
}

Say($"# LeakScope tracing benchmarks — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Say();
Say($"machine: {Machine.Describe()}");
Say($"runs per configuration: {options.Runs}; workload scale {options.Scale.ToString(CultureInfo.InvariantCulture)}");
Say();

// ---- Every --stacks mode beside heaptrack and valgrind, one size per row (issue 12); alone, as --mixed-only is ----
if (options.Modes)
{
    Modes.Run(paths, options, Say);
    if (options.Output is { } modesOutput)
    {
        File.WriteAllText(modesOutput, report.ToString());
        Console.WriteLine($"(written to {modesOutput})");
    }

    return 0;
}

// ---- The mixed-size loops (issue 15): untraced, `--stacks none`, `--stacks sampled` (the default), interleaved ----
// "mixed": each block freed at once (the pairs fold); "mixed64": 64 blocks live at a time (every operation is a record).
foreach ((string workload, string title) in new[]
{
    ("mixed", "Mixed sizes 16–271 B per call, 5 M PoolHeap alloc/free pairs"),
    ("mixed64", "Mixed sizes 16–271 B per call, 5 M PoolHeap allocations through a window of 64 live blocks (no pair folds)"),
})
{
    Say($"## {title}: untraced vs traced (`--stacks sampled`, the default, and `none`)");
    Say();
    Say("Runs interleaved (untraced, none, sampled, then the next round); best / median; ratios divide bests (medians in parentheses).");
    Say();
    string scale = options.Scale.ToString(CultureInfo.InvariantCulture);
    var u = new List<double>();
    var uCpu = new List<double>();
    var none = new List<Tracing.Result>();
    var sampled = new List<Tracing.Result>();
    for (int i = 0; i < options.Runs; i++)
    {
        Run untracedRun = Run.Start("dotnet", [paths.TraceBench, workload, scale]);
        u.Add(untracedRun.WorkloadMs);
        uCpu.Add(untracedRun.WorkloadCpuMs);
        none.Add(Tracing.Trace(paths, workload, scale, perOperation: false, bufferMB: null, stacks: "none"));
        sampled.Add(Tracing.Trace(paths, workload, scale, perOperation: false, bufferMB: null, stacks: "sampled"));
    }

    double[] noneMs = none.Select(r => r.WorkloadMs).ToArray();
    double[] sampledMs = sampled.Select(r => r.WorkloadMs).ToArray();
    double noneCpu = none.Min(r => r.WorkloadCpuMs);
    double sampledCpu = sampled.Min(r => r.WorkloadCpuMs);
    Say("The CPU columns are the target's main-thread CPU time in the timed section (best): the target-side cost, apart from the");
    Say("time the tracer and other processes take from the shared cores.");
    Say();
    Say("| mode | untraced ms | traced ms | traced / untraced | target CPU ms: untraced, traced | CPU ratio | complete | events lost |");
    Say("|---|---:|---:|---:|---:|---:|---|---:|");
    Say($"| none | {Cell(u.ToArray())} | {Cell(noneMs)} | **{noneMs.Min() / u.Min():F2}×** ({MedianOf(noneMs) / MedianOf(u):F2}×) | {uCpu.Min():F1}, {noneCpu:F1} | {noneCpu / uCpu.Min():F2}× | {Tracing.Summary(none.Select(t => t.Complete))} | {none.Max(t => t.EventsLost)} |");
    Say($"| sampled (default) | {Cell(u.ToArray())} | {Cell(sampledMs)} | **{sampledMs.Min() / u.Min():F2}×** ({MedianOf(sampledMs) / MedianOf(u):F2}×) | {uCpu.Min():F1}, {sampledCpu:F1} | {sampledCpu / uCpu.Min():F2}× | {Tracing.Summary(sampled.Select(t => t.Complete))} | {sampled.Max(t => t.EventsLost)} |");
    Say();
}

if (options.MixedOnly)
{
    Say($"load average at end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    return 0;
}

// ---- .NET workloads: untraced vs `leakscope trace` (high-rate mode, default buffer) ----
var workloads = new[] { ("small", "5 M alloc/free of 64 B, one thread"), ("live1m", "1 M live blocks built and freed, ×2"), ("threads4", "4 threads, 2 M cross-thread frees") };
var traced = new Dictionary<string, double>();
var exitToReport = new Dictionary<string, double>();
Say("## .NET workloads (bench/LeakScope.TraceBench), untraced vs `leakscope trace`");
Say();
Say("Times are best / median of the runs; the ratio divides bests (the median ratio in parentheses). \"HEAPSTATS → report\" runs from the");
Say("target's last line (printed just before `Main` returns) to the tracer's exit after writing the report: median (max).");
Say();
Say("| workload | untraced ms | traced ms | traced / untraced | complete | events lost | stream end → judged | HEAPSTATS → report |");
Say("|---|---:|---:|---:|---|---:|---:|---:|");
foreach ((string name, string what) in workloads)
{
    string scale = options.Scale.ToString(CultureInfo.InvariantCulture);
    double[] untraced = Times(options.Runs, () => Run.Start("dotnet", [paths.TraceBench, name, scale]).WorkloadMs);
    var tracedRuns = Enumerable.Range(0, options.Runs).Select(_ => Tracing.Trace(paths, name, scale, perOperation: false, bufferMB: null)).ToList();
    double[] tracedMs = tracedRuns.Select(t => t.WorkloadMs).ToArray();
    traced[name] = tracedMs.Min() / untraced.Min();
    Say($"| {name} ({what}) | {Cell(untraced)} | {Cell(tracedMs)} | **{traced[name]:F2}×** ({MedianOf(tracedMs) / MedianOf(untraced):F2}×) | {Tracing.Summary(tracedRuns.Select(t => t.Complete))} | {tracedRuns.Max(t => t.EventsLost)} | {MedianOf(tracedRuns.Select(t => t.EndToJudgedMs)):F0} ms | {MedianOf(tracedRuns.Select(t => t.ExitToReportMs)):F0} ms ({tracedRuns.Max(t => t.ExitToReportMs):F0}) |");
    exitToReport[name] = MedianOf(tracedRuns.Select(t => t.ExitToReportMs));
}

{
    // For scale: one event per operation, what dotnet-trace and PerfView record.
    string scale = (options.Scale * 0.2).ToString(CultureInfo.InvariantCulture);
    double[] untraced = Times(options.Runs, () => Run.Start("dotnet", [paths.TraceBench, "small", scale]).WorkloadMs);
    var perOp = Enumerable.Range(0, options.Runs).Select(_ => Tracing.Trace(paths, "small", scale, perOperation: true, bufferMB: null)).ToList();
    double[] ms = perOp.Select(t => t.WorkloadMs).ToArray();
    Say($"| small ×0.2, `--per-operation` (one event per operation) | {Cell(untraced)} | {Cell(ms)} | {ms.Min() / untraced.Min():F2}× ({MedianOf(ms) / MedianOf(untraced):F2}×) | {Tracing.Summary(perOp.Select(t => t.Complete))} | {perOp.Max(t => t.EventsLost)} | | |");
}

Say();

// ---- Stacks (docs/stacks.md): the same small loop with each --stacks mode, interleaved so load hits them alike ----
double sampledRatio;
{
    Say("## Call stacks: `--stacks none | sampled (default) | all` on the small loop");
    Say();
    Say("Runs interleaved (untraced, none, sampled, then the next round); best / median. `all` walks a stack per allocation, so it");
    Say("runs at scale ×0.2 against its own untraced run at that scale.");
    Say();
    string scale = options.Scale.ToString(CultureInfo.InvariantCulture);
    string allScale = (options.Scale * 0.2).ToString(CultureInfo.InvariantCulture);
    var u = new List<double>();
    var none = new List<double>();
    var sampled = new List<double>();
    var uAll = new List<double>();
    var all = new List<double>();
    for (int i = 0; i < options.Runs; i++)
    {
        u.Add(Run.Start("dotnet", [paths.TraceBench, "small", scale]).WorkloadMs);
        none.Add(Tracing.Trace(paths, "small", scale, perOperation: false, bufferMB: null, stacks: "none").WorkloadMs);
        sampled.Add(Tracing.Trace(paths, "small", scale, perOperation: false, bufferMB: null, stacks: "sampled").WorkloadMs);
        uAll.Add(Run.Start("dotnet", [paths.TraceBench, "small", allScale]).WorkloadMs);
        all.Add(Tracing.Trace(paths, "small", allScale, perOperation: false, bufferMB: null, stacks: "all").WorkloadMs);
    }

    sampledRatio = sampled.Min() / u.Min();
    Say("| mode | untraced ms | traced ms | traced / untraced | / `none` |");
    Say("|---|---:|---:|---:|---:|");
    Say($"| none | {Cell(u.ToArray())} | {Cell(none.ToArray())} | {none.Min() / u.Min():F2}× ({MedianOf(none) / MedianOf(u):F2}×) | 1.00× |");
    Say($"| sampled (default) | {Cell(u.ToArray())} | {Cell(sampled.ToArray())} | **{sampledRatio:F2}×** ({MedianOf(sampled) / MedianOf(u):F2}×) | {sampled.Min() / none.Min():F2}× |");
    Say($"| all (×0.2) | {Cell(uAll.ToArray())} | {Cell(all.ToArray())} | {all.Min() / uAll.Min():F1}× ({MedianOf(all) / MedianOf(uAll):F1}×) | |");
    Say();
}

// ---- The C twin: native vs heaptrack vs valgrind memcheck ----
var heaptrack = new Dictionary<string, double>();
if (options.Native)
{
    string binary = Native.Build(paths);
    string vgScale = (options.Scale * 0.5).ToString(CultureInfo.InvariantCulture);
    Say("## The C twin (bench/native/workloads.c, gcc -O2), native vs heaptrack vs valgrind memcheck");
    Say();
    Say($"Best / median of the runs, ratios of bests. valgrind runs at scale {vgScale}, against its own native run at that scale.");
    Say();
    Say("| workload | native ms | heaptrack ms | heaptrack / native | native ms (valgrind scale) | valgrind ms | valgrind / native |");
    Say("|---|---:|---:|---:|---:|---:|---:|");
    foreach ((string name, _) in workloads)
    {
        string scale = options.Scale.ToString(CultureInfo.InvariantCulture);
        double[] native = Times(options.Runs, () => Run.Start(binary, [name, scale]).WorkloadMs);
        double[] ht = Native.Available("heaptrack") ? Times(options.Runs, () => Native.Heaptrack(binary, name, scale)) : [double.NaN];
        double[] nativeSmall = Times(options.Runs, () => Run.Start(binary, [name, vgScale]).WorkloadMs);
        double[] vg = Native.Available("valgrind") ? Times(Math.Min(options.Runs, 2), () => Run.Start("valgrind", ["--tool=memcheck", "-q", binary, name, vgScale]).WorkloadMs) : [double.NaN];
        heaptrack[name] = ht.Min() / native.Min();
        Say($"| {name} | {Cell(native)} | {Cell(ht)} | **{heaptrack[name]:F1}×** | {Cell(nativeSmall)} | {Cell(vg)} | **{vg.Min() / nativeSmall.Min():F1}×** |");
    }

    Say();
}

// ---- The tracer alone ----
Say("## The tracer (bench/LeakScope.TracerBench): decode + engine on one core, synthetic batches");
Say();
Run tracer = Run.Start("dotnet", options.Quick ? [paths.TracerBench, "--quick"] : [paths.TracerBench]);
foreach ((_, string line) in tracer.Lines)
{
    Say("    " + line);
}

Say();
double minRecords = tracer.Lines.Where(l => l.Line.StartsWith("RECORDS ", StringComparison.Ordinal)).Min(l => double.Parse(l.Line.Split(' ')[2], CultureInfo.InvariantCulture));
double bytesPerBlock = double.Parse(tracer.Lines.Single(l => l.Line.StartsWith("BYTES_PER_LIVE_BLOCK", StringComparison.Ordinal)).Line.Split(' ')[1], CultureInfo.InvariantCulture);

// ---- Buffer sizes and losses ----
if (options.Buffers)
{
    Say("## EventPipe buffer size vs losses (traced runs)");
    Say();
    Say("| mode | workload | buffer MB | events lost | complete | traced ms |");
    Say("|---|---|---:|---:|---|---:|");
    string scale = options.Scale.ToString(CultureInfo.InvariantCulture);
    foreach (string name in new[] { "live1m", "threads4" })
    {
        foreach (int mb in new[] { 4, 16, 32, 64, 256 })
        {
            Tracing.Result r = Tracing.Trace(paths, name, scale, perOperation: false, bufferMB: mb);
            Say($"| batched | {name} | {mb} | {r.EventsLost} | {(r.Complete ? "yes" : "no")} | {r.WorkloadMs:F1} |");
        }
    }

    string perOpScale = (options.Scale * 0.2).ToString(CultureInfo.InvariantCulture);
    foreach (int mb in new[] { 64, 128, 256 })
    {
        Tracing.Result r = Tracing.Trace(paths, "small", perOpScale, perOperation: true, bufferMB: mb);
        Say($"| per-operation | small ×0.2 | {mb} | {r.EventsLost} | {(r.Complete ? "yes" : "no")} | {r.WorkloadMs:F1} |");
    }

    Say();
}

// ---- The bars of issue 6 ----
Say("## Bars");
Say();
Say(Bar("traced ≤ 3× untraced, small loop", traced["small"] <= 3, $"{traced["small"]:F2}×"));
foreach ((string name, _) in workloads)
{
    if (heaptrack.TryGetValue(name, out double ht))
    {
        Say(Bar($"traced slowdown below heaptrack's, {name}", traced[name] < ht, $"{traced[name]:F2}× vs {ht:F1}×"));
    }
}

Say(Bar("tracer ≥ 20 M records/s (slowest synthetic workload)", minRecords >= 20e6, $"{minRecords / 1e6:F1} M/s"));
foreach ((string name, double ms) in exitToReport)
{
    Say(Bar($"report within 0.5 s of target exit, {name} (median)", ms <= 500, $"{ms:F0} ms"));
}

Say(Bar("≤ 64 bytes of tracer memory per live block", bytesPerBlock <= 64, $"{bytesPerBlock:F1} B"));

if (options.Output is { } output)
{
    File.WriteAllText(output, report.ToString());
    Console.WriteLine($"(written to {output})");
}

return 0;

static string Bar(string what, bool met, string value) => $"- {(met ? "MET" : "MISSED")}: {what} — {value}";

static double[] Times(int runs, Func<double> measure) => Enumerable.Range(0, runs).Select(_ => measure()).ToArray();

static string Cell(double[] values) => values.Length == 1 ? $"{values[0]:F1}" : $"{values.Min():F1} / {MedianOf(values):F1}";

static double MedianOf(IEnumerable<double> values)
{
    double[] sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
