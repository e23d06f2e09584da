// The LeakScope.Hosting watcher's cost (bench/README.md, "The hosting watcher" and "issue 16: the walk reads what changed"):
//   dotnet run -c Release --project bench/LeakScope.HostingBench -- [--blocks 1000000,16000000] [--samples 5] [--pairs 4000000] [--scattered 10000] [--site-run 1]
// For each live-heap size: builds that many small live blocks (48 B, spread over 100 sites), then measures in the
// same run, in thread CPU time (CLOCK_THREAD_CPUTIME_ID: on a shared machine a wall clock measures the scheduler):
//   - a full walk that keeps nothing (SiteTally.CaptureByFullWalk: what every sample cost before the walk kept counts
//     per pool), and the watcher's first sample (it reads every pool built since the last sample);
//   - steady samples (HeapStats.CaptureSites + the growth judgement + publishing), median of --samples, after each of
//     two kinds of churn between samples, standing for one interval of a service:
//       ring:      1 M alloc/free pairs of 16–271 B through a ring of 64 live blocks, plus 1 000 new 48 B blocks kept;
//       scattered: --scattered blocks freed at random across the whole heap and as many allocated (48 B, same sites);
//     with the pools each sample read, and its share of one core at the default 10 s interval;
//   - the interval the default 1 % budget (LeakScopeOptions.MaxCpuShare) stretches it to, judged by the sample's wall
//     time as the hosted service does;
//   - the managed memory one sample allocates, the watcher keeps, and the walk keeps between samples (its per-pool counts);
//   - an application thread's alloc/free pairs untouched (baseline) and while another thread samples back to back
//     (the worst case: the interval shrunk to 0), as a ratio.
using System.Diagnostics;
using System.Runtime.InteropServices;
using LeakScope.Allocator;
using LeakScope.Allocator.Heaps;
using LeakScope.Hosting;
using Microsoft.Extensions.Options;

long[] sizes = Arg("--blocks", "1000000,16000000").Split(',').Select(long.Parse).ToArray();
int samples = int.Parse(Arg("--samples", "5"));
long pairs = long.Parse(Arg("--pairs", "4000000"));
int scattered = int.Parse(Arg("--scattered", "10000"));
// Sites take turns every --site-run blocks: 1 (the default) puts all 100 sites in every pool, the walk's most memory.
long siteRun = long.Parse(Arg("--site-run", "1"));
const int Sites = 100;
const int BlockSize = 48;
const int KeepEvery = 16; // every 16th live block's address is kept, for the scattered churn to free
var interval = TimeSpan.FromSeconds(10);
var kept = new List<nint>();
var random = new Random(16);
var watcher = new LeakScopeWatcher(Options.Create(new LeakScopeOptions()));

Console.WriteLine($"watcher cost: {samples} samples per size and churn, {pairs} alloc/free pairs per application run, {scattered} scattered frees, sites in runs of {siteRun}, {Environment.ProcessorCount} cores, load {LoadAverage()}");
Console.WriteLine("| live blocks | pools in use | full walk CPU | first sample CPU (pools read) | steady, ring churn: sample CPU (pools read) | CPU at 10 s | steady, scattered churn: sample CPU (pools read) | CPU at 10 s | interval under the 1 % budget (scattered) | walk keeps | allocated per sample | watcher retains | app pairs untouched | app pairs while sampling | ratio |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
long live = 0;
foreach (long target in sizes)
{
    Grow(target - live, kept, siteRun);
    live = target;

    double baseline = AppPairs(pairs);
    long before = GC.GetTotalMemory(forceFullCollection: true);

    double fullStart = ThreadCpu.Nanoseconds();
    _ = SiteTally.CaptureByFullWalk();
    double full = ThreadCpu.Nanoseconds() - fullStart;

    (double first, _, _, int firstPools) = TimedSample(live);
    var ring = new List<(double Cpu, double Wall, long Allocated, int Pools)>();
    for (int i = 0; i < samples; i++)
    {
        RingChurn(1_000_000);
        Grow(1000, kept, siteRun);
        live += 1000;
        ring.Add(TimedSample(live));
    }

    var spread = new List<(double Cpu, double Wall, long Allocated, int Pools)>();
    for (int i = 0; i < samples; i++)
    {
        ScatteredChurn(scattered, kept, random);
        spread.Add(TimedSample(live));
    }

    long retained = GC.GetTotalMemory(forceFullCollection: true) - before;
    long walkKeeps = SiteWalk.RetainedBytes();
    int poolsInUse = SiteWalk.LastPoolsInUse;

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

    var ringMedian = ring.OrderBy(r => r.Cpu).ElementAt(ring.Count / 2);
    var spreadMedian = spread.OrderBy(r => r.Cpu).ElementAt(spread.Count / 2);
    double wallMedian = spread.Select(r => r.Wall).Order().ElementAt(spread.Count / 2);
    double budgeted = Math.Max(interval.TotalSeconds, wallMedian / 1e9 / new LeakScopeOptions().MaxCpuShare);
    Console.WriteLine(
        $"| {live:N0} | {poolsInUse:N0} | {full / 1e6:N1} ms | {first / 1e6:N1} ms ({firstPools:N0}) " +
        $"| {ringMedian.Cpu / 1e6:N2} ms ({ringMedian.Pools:N0}) | {ringMedian.Cpu / interval.TotalNanoseconds * 100:N3} % " +
        $"| {spreadMedian.Cpu / 1e6:N2} ms ({spreadMedian.Pools:N0}) | {spreadMedian.Cpu / interval.TotalNanoseconds * 100:N3} % | {budgeted:N1} s " +
        $"| {walkKeeps / 1024.0:N0} KiB | {spread.Select(r => r.Allocated).Order().ElementAt(spread.Count / 2) / 1024.0:N0} KiB | {retained / 1024.0:N0} KiB " +
        $"| {baseline:N1} ns | {contended:N1} ns ({concurrentSamples} samples) | {contended / baseline:N2} |");
}

return 0;

(double Cpu, double Wall, long Allocated, int Pools) TimedSample(long liveNow)
{
    long bytes = GC.GetAllocatedBytesForCurrentThread();
    double start = ThreadCpu.Nanoseconds();
    long wallStart = Stopwatch.GetTimestamp();
    LeakScopeSample s = watcher.Sample();
    double cpu = ThreadCpu.Nanoseconds() - start;
    double wallNs = Stopwatch.GetElapsedTime(wallStart).TotalNanoseconds;
    long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
    if (s.TopSites.Sum(t => t.LiveBlocks) < Math.Min(liveNow, 20L * (liveNow / Sites)) * 99 / 100)
    {
        throw new InvalidOperationException("the sample missed live blocks");
    }

    return (cpu, wallNs, allocated, SiteWalk.LastPoolsWalked);
}

// Live blocks at Sites sites, never freed (the process ends with them); every KeepEvery-th address is kept.
static unsafe void Grow(long count, List<nint> kept, long siteRun)
{
    for (long i = 0; i < count; i++)
    {
        void* p = PoolHeap.Malloc(BlockSize, "/bench/LiveHeap.cs", (int)(i / siteRun % Sites) + 1, "Fill");
        if (i % KeepEvery == 0)
        {
            kept.Add((nint)p);
        }
    }
}

// One interval's request churn on this thread: alloc/free pairs of mixed small sizes through a ring of 64 live blocks.
static unsafe void RingChurn(long count)
{
    void*[] ring = new void*[64];
    for (long i = 0; i < count; i++)
    {
        int slot = (int)(i & 63);
        if (ring[slot] != null)
        {
            PoolHeap.Free(ring[slot]);
        }

        ring[slot] = PoolHeap.Malloc((nuint)(16 + ((i * 37) & 255)));
    }

    foreach (void* p in ring)
    {
        PoolHeap.Free(p);
    }
}

// Old blocks freed at random across the heap and as many new ones allocated: each free marks a pool of its own.
static unsafe void ScatteredChurn(int count, List<nint> kept, Random random)
{
    for (int i = 0; i < count; i++)
    {
        int at = random.Next(kept.Count);
        PoolHeap.Free((void*)kept[at]);
        kept[at] = (nint)PoolHeap.Malloc(BlockSize, "/bench/LiveHeap.cs", (at % Sites) + 1, "Fill");
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
