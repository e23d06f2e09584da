using System.Diagnostics;
using System.Globalization;
using LeakScope.Allocator;
using LeakScope.TraceBench;

// Usage: LeakScope.TraceBench <small|live1m|threads4> [scale]
// Prints "WORKLOAD <name> <milliseconds>" for the timed section only, then the heap's own account.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: LeakScope.TraceBench <small|live1m|threads4> [scale]");
    return 2;
}

double scale = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0;
Action workload = args[0] switch
{
    "small" => () => Workloads.Small((long)(5_000_000 * scale)),
    "live1m" => () => Workloads.LiveMillion(Math.Max(1, (long)(2 * scale))),
    "threads4" => () => Workloads.CrossThread((long)(500_000 * scale)),
    _ => null!,
};
if (workload is null)
{
    Console.Error.WriteLine($"unknown workload: {args[0]}");
    return 2;
}

// Warm the allocator and the JIT outside the timed section, as the C twin has no JIT to warm.
Workloads.Small(200_000);
var stopwatch = Stopwatch.StartNew();
workload();
stopwatch.Stop();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"WORKLOAD {args[0]} {stopwatch.Elapsed.TotalMilliseconds:F1}"));
Console.WriteLine($"HEAPSTATS {HeapStats.Capture()}");
return 0;
