using System.Diagnostics;
using System.Globalization;
using LeakScope.Allocator;
using LeakScope.Bench.Shared;
using LeakScope.Samples.Shared;
using LeakScope.TraceBench;

// Usage: LeakScope.TraceBench <workload> [scale]
//   small | live1m | threads4       the tracing-overhead workloads (bench/native/workloads.c is the C twin)
//   mixed                           5 M alloc/free pairs of 16–271 B varying per call (the untraced ratios' mixed loop)
//   fold-leaks | thread-exits | free-at-exit
//                                   shapes the end-to-end tests trace to prove the high-rate mode loses nothing
// Prints "WORKLOAD <name> <milliseconds>" for the timed section only, "WORKLOADCPU <name> <milliseconds>" for the main
// thread's CPU time in it, then "HEAPSTATS {json}": the heap's own
// account per family, taken after all work, just before the process exits.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: LeakScope.TraceBench <small|mixed|mixed64|live1m|threads4|fold-leaks|thread-exits|free-at-exit> [scale]");
    return 2;
}

double scale = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0;
Action? workload = args[0] switch
{
    "small" => () => Workloads.Small((long)(5_000_000 * scale)),
    "mixed" => () => Workloads.Mixed((long)(5_000_000 * scale)),
    "mixed64" => () => Workloads.MixedWindow((long)(5_000_000 * scale)),
    // Below scale 0.5, one round of fewer blocks, so that the work stays proportional to the scale (as in the C twin).
    "live1m" => () => Workloads.LiveMillion(Math.Max(1, (long)(2 * scale)), scale < 0.5 ? (int)(2_000_000 * scale) : 1_000_000),
    "threads4" => () => Workloads.CrossThread((long)(500_000 * scale)),
    "fold-leaks" => () => TestWorkloads.FoldWithLeaks((long)(1_000_000 * scale)),
    "thread-exits" => () => TestWorkloads.ThreadExits(Math.Max(1, (int)(32 * scale))),
    "free-at-exit" => () => TestWorkloads.FreeAtExit((int)(10_000 * scale)),
    _ => null,
};
if (workload is null)
{
    Console.Error.WriteLine($"unknown workload: {args[0]}");
    return 2;
}

// Warm the allocator and the JIT outside the timed section, as the C twin has no JIT to warm.
Workloads.Small(200_000);
double cpuStart = ThreadClock.NowNanoseconds();
var stopwatch = Stopwatch.StartNew();
workload();
stopwatch.Stop();
double cpuMs = (ThreadClock.NowNanoseconds() - cpuStart) / 1e6;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"WORKLOAD {args[0]} {stopwatch.Elapsed.TotalMilliseconds:F1}"));

// The main thread's own CPU time over the timed section: the target-side cost of tracing (writing records, sampling
// stacks), apart from the time lost to the tracer and other processes sharing the cores.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"WORKLOADCPU {args[0]} {cpuMs:F1}"));
Console.WriteLine(HeapStatsLine.Capture());
return 0;
