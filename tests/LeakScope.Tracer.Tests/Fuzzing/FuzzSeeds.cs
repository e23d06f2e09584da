using System.Diagnostics;
using System.Globalization;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// Seeds for the fuzz loops: deterministic by default, so CI runs the same streams every time; every failure names
/// the seed of the one stream that broke. <c>LEAKSCOPE_FUZZ_SEED</c> changes the master seed (explore more streams),
/// <c>LEAKSCOPE_FUZZ_STREAMS</c> scales the count, <c>LEAKSCOPE_FUZZ_STREAM_SEED</c> reruns one stream alone.
/// </summary>
internal static class FuzzSeeds
{
    public const int DefaultMaster = 20251121;

    public static int Master => Read("LEAKSCOPE_FUZZ_SEED") ?? DefaultMaster;

    /// <summary>The seeds of <paramref name="defaultCount"/> streams (scaled by LEAKSCOPE_FUZZ_STREAMS / 20000), or the one stream asked for.</summary>
    public static IEnumerable<int> For(string loop, int defaultCount)
    {
        if (Read("LEAKSCOPE_FUZZ_STREAM_SEED") is { } single)
        {
            yield return single;
            yield break;
        }

        int count = Read("LEAKSCOPE_FUZZ_STREAMS") is { } scaled ? Math.Max(1, (int)((long)defaultCount * scaled / 20000)) : defaultCount;
        int salt = StableHash(loop);
        for (int i = 0; i < count; i++)
        {
            yield return (int)((uint)(Master * 1_000_003) ^ (uint)(salt + (i * 7919)));
        }
    }

    public static string Reproduce(int seed) =>
        $"stream seed {seed} (rerun alone: LEAKSCOPE_FUZZ_STREAM_SEED={seed}; master seed {Master})";

    /// <summary>
    /// Runs <paramref name="body"/> for every seed on a worker, failing if one stream takes longer than
    /// <paramref name="bound"/> (a hang names its seed). The bound is on progress, not on the whole loop: a slow or
    /// loaded machine takes longer over all the streams, and only a stream that does not finish is a hang.
    /// </summary>
    public static void Run(string loop, int defaultCount, TimeSpan bound, Action<int> body)
    {
        int current = 0;
        int done = 0;
        var clock = Stopwatch.StartNew();
        var worker = Task.Factory.StartNew(
            () =>
            {
                foreach (int seed in For(loop, defaultCount))
                {
                    Volatile.Write(ref current, seed);
                    body(seed);
                    Interlocked.Increment(ref done);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        int before = -1;
        while (!worker.Wait(bound))
        {
            int now = Volatile.Read(ref done);
            if (now == before)
            {
                Assert.Fail($"{loop}: no stream finished in {bound.TotalSeconds:0} s after {now} were done — a hang? Current {Reproduce(Volatile.Read(ref current))}");
            }

            before = now;
        }

        worker.GetAwaiter().GetResult();
        Console.WriteLine($"{loop}: {done} streams in {clock.Elapsed.TotalSeconds:0.00} s (master seed {Master})");
    }

    private static int? Read(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;

    private static int StableHash(string text)
    {
        unchecked
        {
            int hash = (int)2166136261;
            foreach (char c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }
}
