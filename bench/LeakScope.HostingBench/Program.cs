// The LeakScope.Hosting watcher's cost (bench/README.md, "The hosting watcher"):
//   dotnet run -c Release --project bench/LeakScope.HostingBench -- [--blocks 1000000,16000000] [--samples 5] [--pairs 4000000]
// For each live-heap size: builds that many small live blocks (48 B, spread over 100 sites), then measures in the
// same run, in thread CPU time (CLOCK_THREAD_CPUTIME_ID: on a shared machine a wall clock measures the scheduler):
//   - one watcher sample (HeapStats.CaptureSites + the growth judgement + publishing), median of --samples;
//   - its share of one core at the default 10 s interval, and the interval the default 1 % budget
//     (LeakScopeOptions.MaxCpuShare) stretches it to, judged by the sample's wall time as the hosted service does;
//   - the managed memory one sample allocates and the watcher keeps;
//   - an application thread's alloc/free pairs untouched (baseline) and while another thread samples back to back
//     (the worst case: the interval shrunk to 0), as a ratio.
using System.Diagnostics;
using System.Runtime.InteropServices;
using LeakScope.Allocator;
using LeakScope.Hosting;
using Microsoft.Extensions.Options;

long[] sizes = Arg("--blocks", "1000000,16000000").Split(',').Select(long.Parse).ToArray();
int samples = int.Parse(Arg("--samples", "5"));
long pairs = long.Parse(Arg("--pairs", "4000000"));
const int Sites = 100;
const int BlockSize = 48;
var interval = TimeSpan.FromSeconds(10);

Console.WriteLine($"watcher cost: {samples} samples per size, {pairs} alloc/free pairs per application run, {Environment.ProcessorCount} cores, load {LoadAverage()}");
Console.WriteLine("| live blocks | live heap | sample CPU (median) | sample wall (median) | CPU at 10 s | interval under the 1 % budget | allocated per sample | watcher retains | app pairs untouched | app pairs while sampling | ratio |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
long live = 0;
foreach (long target in sizes)
{
    Grow(target - live);
    live = target;

    double baseline = AppPairs(pairs);
    long before = GC.GetTotalMemory(forceFullCollection: true);
    var watcher = new LeakScopeWatcher(Options.Create(new LeakScopeOptions()));
    var cpu = new List<double>();
    var allocated = new List<long>();
    var wall = new List<double>();
    for (int i = 0; i < samples; i++)
    {
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        double start = ThreadCpu.Nanoseconds();
        long wallStart = Stopwatch.GetTimestamp();
        LeakScopeSample s = watcher.Sample();
        cpu.Add(ThreadCpu.Nanoseconds() - start);
        wall.Add(Stopwatch.GetElapsedTime(wallStart).TotalNanoseconds);
        allocated.Add(GC.GetAllocatedBytesForCurrentThread() - bytes);
        if (s.TopSites.Sum(t => t.LiveBlocks) < Math.Min(live, 20L * (live / Sites)))
        {
            throw new InvalidOperationException("the sample missed live blocks");
        }
    }

    long retained = GC.GetTotalMemory(forceFullCollection: true) - before;
    GC.KeepAlive(watcher);

    // The worst case: another thread samples back to back while the application allocates and frees.
    using var stop = new CancellationTokenSource();
    int concurrentSamples = 0;
    var sampler = new Thread(() =>
    {
        while (!stop.IsCancellationRequested)
        {
            watcher.Sample();
            concurrentSamples++;
        }
    }) { IsBackground = true };
    sampler.Start();
    double contended = AppPairs(pairs);
    stop.Cancel();
    sampler.Join();

    double median = cpu.Order().ElementAt(cpu.Count / 2);
    double wallMedian = wall.Order().ElementAt(wall.Count / 2);
    double budgeted = Math.Max(interval.TotalSeconds, wallMedian / 1e9 / new LeakScopeOptions().MaxCpuShare);
    Console.WriteLine(
        $"| {live:N0} | {live * BlockSize / (1024.0 * 1024):N0} MiB requested | {median / 1e6:N1} ms | {wallMedian / 1e6:N1} ms | {median / interval.TotalNanoseconds * 100:N2} % | {budgeted:N1} s ({median / 1e9 / budgeted * 100:N2} %) " +
        $"| {allocated.Order().ElementAt(allocated.Count / 2) / 1024.0:N0} KiB | {retained / 1024.0:N0} KiB | {baseline:N1} ns | {contended:N1} ns ({concurrentSamples} samples) | {contended / baseline:N2} |");
}

return 0;

// Live blocks at Sites sites, never freed (the process ends with them).
static unsafe void Grow(long count)
{
    for (long i = 0; i < count; i++)
    {
        PoolHeap.Malloc(BlockSize, "/bench/LiveHeap.cs", (int)(i % Sites) + 1, "Fill");
    }
}

// Thread CPU per alloc/free pair of mixed small sizes on a thread of its own.
static unsafe double AppPairs(long count)
{
    double result = 0;
    var app = new Thread(() =>
    {
        void*[] ring = new void*[64];
        double start = ThreadCpu.Nanoseconds();
        for (long i = 0; i < count; i++)
        {
            int slot = (int)(i & 63);
            if (ring[slot] != null)
            {
                PoolHeap.Free(ring[slot]);
            }

            ring[slot] = PoolHeap.Malloc((nuint)(16 + ((i * 37) & 255)));
        }

        result = (ThreadCpu.Nanoseconds() - start) / count;
        foreach (void* p in ring)
        {
            PoolHeap.Free(p);
        }
    });
    app.Start();
    app.Join();
    return result;
}

string Arg(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

internal static partial class ThreadCpu
{
    public static double Nanoseconds()
    {
        if (clock_gettime(3, out TimeSpec now) != 0) // CLOCK_THREAD_CPUTIME_ID
        {
            throw new InvalidOperationException("clock_gettime failed");
        }

        return (now.Seconds * 1e9) + now.Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
