using System.Globalization;
using LeakScope.Allocator;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Bench.Shared;

namespace LeakScope.Benchmarks.Ratios;

/// <summary>
/// <c>--ratios</c>: every untraced ratio of the allocator's bars in one run, one process, against the system allocator
/// (<c>NativeMemory</c>) measured in the same rounds. Rounds interleave the heaps (rotating which goes first) and each
/// figure is the best of its rounds, so load from other processes on a shared machine inflates all of them alike.
/// </summary>
internal static unsafe class RatioRunner
{
    public const string Switch = "--ratios";

    /// <summary><c>--ratios --interception</c>: only the interception bar's table (issue 14), for quick reruns.</summary>
    private const string InterceptionOnly = "--interception";

    public static int Run(string[] args)
    {
        if (Instrumentation.Active)
        {
            Console.Error.WriteLine("The LeakScope-Allocator event source is enabled: the ratios measure the untraced allocator.");
            return 2;
        }

        int spin = Array.IndexOf(args, "--profile");
        if (spin >= 0 && spin + 1 < args.Length)
        {
            return Profile(args[spin + 1], DoubleOption(args, "--seconds", 10));
        }

        int rounds = IntOption(args, "--rounds", 25);
        double scale = DoubleOption(args, "--scale", 1.0);
        long n = (long)(400_000 * scale);

        // --only <section>[,<section>…] (one-thread, claim, interception, sites, threads, memory): a subset, for working on one of them.
        string[] only = StringOption(args, "--only")?.Split(',') ?? [];
        bool Wanted(string section) => only.Length == 0 || only.Contains(section);

        Loops.WarmUp();
        Console.WriteLine($"# LeakScope untraced ratios — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, " +
            $".NET {Environment.Version}, load average at start {LoadAverage()}; best of {rounds} interleaved rounds, thread CPU time");
        Console.WriteLine();
        if (args.Contains(InterceptionOnly))
        {
            Interception(rounds, n);
            Console.WriteLine($"load average at end {LoadAverage()}");
            return 0;
        }

        if (Wanted("one-thread"))
        {
            OneThread(rounds, n);
        }

        if (Wanted("claim"))
        {
            Claim(rounds, n);
        }

        if (Wanted("interception"))
        {
            Interception(rounds, n);
        }

        if (Wanted("sites"))
        {
            Sites(rounds, n / 2);
        }

        if (Wanted("threads"))
        {
            Threads(rounds, n);
        }

        if (Wanted("memory"))
        {
            Burst();
        }

        Console.WriteLine($"load average at end {LoadAverage()}");
        return 0;
    }

    private static void OneThread(int rounds, long n)
    {
        Console.WriteLine("## One thread: alloc + free (thread CPU ns per pair; ratio to NativeMemory)");
        Console.WriteLine();
        Header("workload");
        foreach (int size in new[] { 16, 64, 256, 512 })
        {
            nuint s = (nuint)size;
            Row($"fixed {size} B", rounds,
                () => Loops.Pairs<NativeHeap>(n, s), () => Loops.Pairs<Raw>(n, s), () => Loops.Pairs<Pool>(n, s));
        }

        Row("mixed 16–271 B, alloc+free", rounds,
            () => Loops.MixedPairs<NativeHeap>(n), () => Loops.MixedPairs<Raw>(n), () => Loops.MixedPairs<Pool>(n));
        Row("mixed 16–271 B, 64 live (ring)", rounds,
            () => Loops.MixedRing<NativeHeap>(n, 64), () => Loops.MixedRing<Raw>(n, 64), () => Loops.MixedRing<Pool>(n, 64));
        Row("mixed 16–271 B, 4096 live (ring)", rounds,
            () => Loops.MixedRing<NativeHeap>(n, 4096), () => Loops.MixedRing<Raw>(n, 4096), () => Loops.MixedRing<Pool>(n, 4096));
        Console.WriteLine();
    }

    private static void Claim(int rounds, long n)
    {
        Console.WriteLine("## The claim's compare-exchange (racing double frees, docs/heaps.md): NativeMemory with and without one on each free");
        Console.WriteLine();
        Console.WriteLine("| workload | NativeMemory ns | + state byte and compare-exchange ns | cost ns per pair | share of a PoolHeap pair |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach ((string name, Func<long> plain, Func<long> claimed, Func<long> pool) in new (string, Func<long>, Func<long>, Func<long>)[]
        {
            ("fixed 64 B", () => Loops.Pairs<NativeHeap>(n, 64), () => Loops.Pairs<NativeWithClaim>(n, 64), () => Loops.Pairs<Pool>(n, 64)),
            ("mixed 16–271 B, alloc+free", () => Loops.MixedPairs<NativeHeap>(n), () => Loops.MixedPairs<NativeWithClaim>(n), () => Loops.MixedPairs<Pool>(n)),
        })
        {
            double[] best = Best(rounds, plain, claimed, pool);
            Console.WriteLine($"| {name} | {best[0]:F2} | {best[1]:F2} | **{best[1] - best[0]:F2}** | {(best[1] - best[0]) / best[2]:P0} |");
        }

        Console.WriteLine();
    }

    /// <summary>
    /// <c>--profile raw|pool|native [--seconds S]</c>: runs the mixed-size alloc+free loop of one heap for S seconds, for
    /// a sampling profiler (<c>DOTNET_PerfMapEnabled=1 perf record -g dotnet … --ratios --profile pool</c>).
    /// </summary>
    private static int Profile(string heap, double seconds)
    {
        Func<long> loop = heap switch
        {
            "raw" => () => Loops.MixedPairs<Raw>(1_000_000),
            "pool" => () => Loops.MixedPairs<Pool>(1_000_000),
            "pool-ring" => () => Loops.MixedRing<Pool>(1_000_000, 4096),
            "intercepted" => () => Loops.MixedPairs<Intercepted>(1_000_000),
            _ => () => Loops.MixedPairs<NativeHeap>(1_000_000),
        };
        Loops.WarmUp();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long ops = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            ops += loop();
        }

        Console.WriteLine($"{heap}: {ops} pairs in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static void Header(string first)
    {
        Console.WriteLine($"| {first} | NativeMemory ns | RawHeap ns | RawHeap / Native | PoolHeap ns | PoolHeap / Native |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    }

    private static void Row(string name, int rounds, Func<long> native, Func<long> raw, Func<long> pool)
    {
        double[] best = Best(rounds, native, raw, pool);
        Console.WriteLine($"| {name} | {best[0]:F2} | {best[1]:F2} | **{best[1] / best[0]:F2}×** | {best[2]:F2} | **{best[2] / best[0]:F2}×** |");
    }

    /// <summary>Best ns per operation of each candidate over interleaved rounds (the first round warms up and is dropped).</summary>
    private static double[] Best(int rounds, params Func<long>[] candidates)
    {
        var best = Enumerable.Repeat(double.MaxValue, candidates.Length).ToArray();
        for (int r = -1; r < rounds; r++)
        {
            for (int k = 0; k < candidates.Length; k++)
            {
                int c = (k + Math.Max(r, 0)) % candidates.Length;
                double begin = ThreadClock.NowNanoseconds();
                long ops = candidates[c]();
                double ns = (ThreadClock.NowNanoseconds() - begin) / ops;
                if (r >= 0)
                {
                    best[c] = Math.Min(best[c], ns);
                }
            }
        }

        return best;
    }

    /// <summary>
    /// Issue 14's bar: an intercepted <c>NativeMemory.Alloc</c>/<c>Free</c> pair ≤ 1.5× the plain call, beside <c>RawHeap</c>,
    /// and beside the floor any design under the interception contract pays (<see cref="MinimalTracking"/>, built up from
    /// <see cref="NativeWithThreadState"/> and <see cref="NativeWithQuarantine"/>).
    /// </summary>
    private static void Interception(int rounds, long n)
    {
        Console.WriteLine("## Interception (docs/interception.md): NativeMemory.Alloc/Free as an interceptor calls it (TrackedNativeMemory), CPU ns per pair; bar ≤ 1.5×");
        Console.WriteLine();
        Console.WriteLine("| workload | NativeMemory ns | intercepted ns | intercepted / Native | RawHeap ns | RawHeap / Native |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach ((string name, Func<long> plain, Func<long> intercepted, Func<long> raw) in new (string, Func<long>, Func<long>, Func<long>)[]
        {
            ("mixed 16–271 B, alloc+free", () => Loops.MixedPairs<NativeHeap>(n), () => Loops.MixedPairs<Intercepted>(n), () => Loops.MixedPairs<Raw>(n)),
            ("mixed 16–271 B, 64 live (ring)", () => Loops.MixedRing<NativeHeap>(n, 64), () => Loops.MixedRing<Intercepted>(n, 64), () => Loops.MixedRing<Raw>(n, 64)),
        })
        {
            double[] best = Best(rounds, plain, intercepted, raw);
            Console.WriteLine($"| {name} | {best[0]:F2} | {best[1]:F2} | **{best[1] / best[0]:F2}×** | {best[2]:F2} | **{best[2] / best[0]:F2}×** |");
        }

        Console.WriteLine();
        Console.WriteLine("The floor (Ratios/InterceptionFloor.cs: hand-written, one thread, no claim, no events): what keeping the contract costs at least, in the same rounds");
        Console.WriteLine();
        Console.WriteLine("| workload | NativeMemory ns | + thread state / Native | + quarantine of 32 / Native | + address table and records (floor) / Native | intercepted / Native |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach ((string name, Func<long>[] loops) in new (string, Func<long>[])[]
        {
            ("mixed 16–271 B, alloc+free", [() => Loops.MixedPairs<NativeHeap>(n), () => Loops.MixedPairs<NativeWithThreadState>(n),
                () => Loops.MixedPairs<NativeWithQuarantine>(n), () => Loops.MixedPairs<MinimalTracking>(n), () => Loops.MixedPairs<Intercepted>(n)]),
            ("mixed 16–271 B, 64 live (ring)", [() => Loops.MixedRing<NativeHeap>(n, 64), () => Loops.MixedRing<NativeWithThreadState>(n, 64),
                () => Loops.MixedRing<NativeWithQuarantine>(n, 64), () => Loops.MixedRing<MinimalTracking>(n, 64), () => Loops.MixedRing<Intercepted>(n, 64)]),
        })
        {
            double[] best = Best(rounds, loops);
            Console.WriteLine($"| {name} | {best[0]:F2} | {best[1] / best[0]:F2}× | {best[2] / best[0]:F2}× | **{best[3] / best[0]:F2}×** | **{best[4] / best[0]:F2}×** |");
        }

        Console.WriteLine();
    }

    private static void Sites(int rounds, long n)
    {
        Console.WriteLine("## Two call sites used alternately, 64 B (CPU ns per alloc+free pair; lines 1000 and 1256 collide mod 256, 1000 and 1001 do not)");
        Console.WriteLine();
        Console.WriteLine("| threads | heap | adjacent ns | colliding ns | colliding / adjacent |");
        Console.WriteLine("|---:|---|---:|---:|---:|");
        foreach (int threads in new[] { 1, 2 })
        {
            double[] raw = BestOf(rounds, () => OnThreads(threads, () => Loops.TwoSites<Raw>(n, 1001)), () => OnThreads(threads, () => Loops.TwoSites<Raw>(n, 1256)));
            double[] pool = BestOf(rounds, () => OnThreads(threads, () => Loops.TwoSites<Pool>(n, 1001)), () => OnThreads(threads, () => Loops.TwoSites<Pool>(n, 1256)));
            Console.WriteLine($"| {threads} | RawHeap | {raw[0]:F2} | {raw[1]:F2} | **{raw[1] / raw[0]:F2}×** |");
            Console.WriteLine($"| {threads} | PoolHeap | {pool[0]:F2} | {pool[1]:F2} | **{pool[1] / pool[0]:F2}×** |");
        }

        Console.WriteLine();
    }

    /// <summary>Runs <paramref name="loop"/> on <paramref name="threads"/> threads at once; returns their CPU ns per operation.</summary>
    private static double OnThreads(int threads, Func<long> loop)
    {
        double cpu = 0;
        long total = 0;
        var gate = new object();
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                double begin = ThreadClock.NowNanoseconds();
                long ops = loop();
                double spent = ThreadClock.NowNanoseconds() - begin;
                lock (gate)
                {
                    cpu += spent;
                    total += ops;
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        return cpu / total;
    }

    private static void Threads(int rounds, long n)
    {
        Console.WriteLine($"## Threads: mixed 16–271 B ring (64 live) per thread, CPU ns per pair on each thread ({Environment.ProcessorCount} cores)");
        Console.WriteLine();
        Console.WriteLine("| threads | NativeMemory ns | RawHeap ns | PoolHeap ns | RawHeap / Native | PoolHeap / Native | NativeMemory vs 1 thread | RawHeap vs 1 thread | PoolHeap vs 1 thread |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        double[]? one = null;
        foreach (int threads in new[] { 1, 2, 4 })
        {
            long per = n / threads;
            double[] best = BestOf(rounds, () => Workers.Independent<NativeHeap>(threads, per), () => Workers.Independent<Raw>(threads, per), () => Workers.Independent<Pool>(threads, per));
            one ??= best;
            Console.WriteLine($"| {threads} | {best[0]:F2} | {best[1]:F2} | {best[2]:F2} | **{best[1] / best[0]:F2}×** | **{best[2] / best[0]:F2}×** | {best[0] / one[0]:F2}× | **{best[1] / one[1]:F2}×** | **{best[2] / one[2]:F2}×** |");
        }

        Console.WriteLine();
        Console.WriteLine("## Cross-thread: one thread allocates mixed sizes, another frees them in batches of 1024 (CPU ns per block: allocation + cross-thread free)");
        Console.WriteLine();
        double[] cross = BestOf(rounds, () => Workers.ProducerConsumer<NativeHeap>(n / 2), () => Workers.ProducerConsumer<Raw>(n / 2), () => Workers.ProducerConsumer<Pool>(n / 2));
        Console.WriteLine("| NativeMemory ns | RawHeap ns | RawHeap / Native | PoolHeap ns | PoolHeap / Native |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {cross[0]:F2} | {cross[1]:F2} | **{cross[1] / cross[0]:F2}×** | {cross[2]:F2} | **{cross[2] / cross[0]:F2}×** |");
        Console.WriteLine();
    }

    /// <summary>Like <see cref="Best"/> for candidates that return their own ns figure.</summary>
    private static double[] BestOf(int rounds, params Func<double>[] candidates)
    {
        var best = Enumerable.Repeat(double.MaxValue, candidates.Length).ToArray();
        for (int r = -1; r < rounds; r++)
        {
            for (int k = 0; k < candidates.Length; k++)
            {
                int c = (k + Math.Max(r, 0)) % candidates.Length;
                double ns = candidates[c]();
                if (r >= 0)
                {
                    best[c] = Math.Min(best[c], ns);
                }
            }
        }

        return best;
    }

    private static void Burst()
    {
        Console.WriteLine("## Memory given back: 2 M × 256 B PoolHeap blocks allocated, then all freed (RSS = VmRSS)");
        Console.WriteLine();
        BurstReport report = BurstAndFree.Run(blocks: 2_000_000, size: 256, settle: TimeSpan.FromSeconds(5));
        Console.WriteLine("| RSS at start | at peak | within 64 MB of start after | RSS then | purge settled after | RSS then | above start |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {Mb(report.Start)} | {Mb(report.Peak)} | {report.Returned.TotalMilliseconds:F0} ms | {Mb(report.Within64)} | " +
            $"{report.PurgeSettled.TotalMilliseconds:F0} ms | {Mb(report.Settled)} | **{Mb(report.Settled - report.Start)}** |");
        Console.WriteLine();
        Console.WriteLine("Steady loop afterwards (mixed 16–271 B, 20 000 live, 5 M steps): " + BurstAndFree.SteadyLoop(20_000, 5_000_000));
        Console.WriteLine();
        Console.WriteLine("live1m's shape (1 M blocks of 16–79 B built and freed, at once again): " + BurstAndFree.Rebuild(rounds: 2));
        Console.WriteLine();
    }

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static double DoubleOption(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

}
