using System.Diagnostics.Tracing;
using System.Globalization;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;
using LeakScope.Wire;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// Decides which allocations get a <c>StackSample</c> event, written on the allocating thread so that a stack-walking
/// session gives it the caller's stack (docs/stacks.md). <see cref="StackMode.All"/>: every allocation and realloc.
/// <see cref="StackMode.Sampled"/>: a Poisson process over allocated bytes, as tcmalloc, Go's pprof and heapprofd
/// sample — each thread counts down an exponentially distributed number of bytes with mean <see cref="SampleBytes"/>
/// and samples the allocation that crosses zero, so a block of <c>s</c> bytes is sampled with probability
/// <c>1 - exp(-s / SampleBytes)</c> whatever came before it — plus the first allocation at every site, which is always
/// written (a site always has a stack). The mode comes from the session's provider arguments
/// (<see cref="WireSchema.StacksArgument"/>, <see cref="WireSchema.StackSampleBytesArgument"/>).
/// </summary>
internal static class StackSampler
{
    /// <summary>The sampled mode's mean interval when a session names none (chosen from bench/README.md).</summary>
    public const long DefaultSampleBytes = 256 * 1024;

    private static readonly Lock s_lock = new();
    private static StackMode s_requested = StackMode.Sampled;
    private static long s_sampleBytes = DefaultSampleBytes;
    private static int s_generation;

    /// <summary>Per site id: non-zero once the site's first allocation was written in this generation.</summary>
    private static int[] s_seen = new int[256];

    /// <summary><see cref="StackMode.None"/> unless a session enables <c>Stacks</c>.</summary>
    public static StackMode Mode;

    /// <summary>
    /// Read on every traced allocation instead of <see cref="Mode"/>: 0 for <see cref="StackMode.None"/>, the generation
    /// (≥ 1) for <see cref="StackMode.Sampled"/>, -1 for <see cref="StackMode.All"/>. One load tells both whether to sample
    /// and whether the thread's countdown and known site are of this generation (<see cref="StackSampleState.Generation"/>
    /// is never -1, so <see cref="StackMode.All"/> always takes <see cref="Sample"/>).
    /// </summary>
    public static int Key;

    /// <summary>The sampled mode's mean interval in bytes, in effect now.</summary>
    public static long SampleBytes => Volatile.Read(ref s_sampleBytes);

    /// <summary>Takes the mode and interval a session asks for (absent arguments keep the defaults: sampled, <see cref="DefaultSampleBytes"/>).</summary>
    public static void Configure(IDictionary<string, string?>? arguments)
    {
        if (arguments is null)
        {
            return;
        }

        lock (s_lock)
        {
            if (arguments.TryGetValue(WireSchema.StacksArgument, out string? mode) && ParseMode(mode) is { } parsed)
            {
                s_requested = parsed;
            }

            if (arguments.TryGetValue(WireSchema.StackSampleBytesArgument, out string? bytes)
                && long.TryParse(bytes, NumberStyles.Integer, CultureInfo.InvariantCulture, out long interval) && interval > 0)
            {
                Volatile.Write(ref s_sampleBytes, interval);
            }
        }
    }

    /// <summary>True for the arguments of a session that carries only stacks (<see cref="WireSchema.StackSessionArgument"/>).</summary>
    public static bool IsStackSession(IDictionary<string, string?>? arguments) =>
        arguments is not null && arguments.TryGetValue(WireSchema.StackSessionArgument, out string? value) && value == "1";

    /// <summary>Called when sessions change: stacks are written while some session enables the <c>Stacks</c> keyword.</summary>
    public static void Refresh(bool stacksEnabled)
    {
        lock (s_lock)
        {
            StackMode mode = stacksEnabled ? s_requested : StackMode.None;
            if (mode != StackMode.None && Mode == StackMode.None)
            {
                // A new session: every site's first allocation is written again, every thread redraws its interval.
                s_seen = new int[s_seen.Length];
                Interlocked.Increment(ref s_generation);
            }

            Mode = mode;
            Volatile.Write(ref Key, mode switch
            {
                StackMode.Sampled => Volatile.Read(ref s_generation),
                StackMode.All => -1,
                _ => 0,
            });
        }
    }

    /// <summary>An allocation or realloc (<paramref name="operation"/>) with stacks on: writes its sample if it is chosen.</summary>
    public static void Allocated(ThreadHeap heap, byte operation, long id, nuint size, int siteId) =>
        Allocated(heap, operation, id, size, siteId, Volatile.Read(ref Key));

    /// <summary>
    /// <see cref="Allocated(ThreadHeap, byte, long, nuint, int)"/> with <see cref="Key"/> already read (not 0). The common
    /// case — the countdown not crossed, at a site this thread already knows was sampled in this generation — is a
    /// subtraction and two compares on the thread's own state (generation and known site in one): no table is read while
    /// a loop stays at one site (perf put the traced allocation's sampler check at ≈ 2 ns with the per-site table read on
    /// every call).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Allocated(ThreadHeap heap, byte operation, long id, nuint size, int siteId, int key)
    {
        // The countdown in a register: written back and tested without reading it again.
        ref StackSampleState state = ref heap.StackSampling;
        long left = state.BytesLeft - (long)size;
        state.BytesLeft = left;
        if (left > 0
            && (state.GenerationAndKnownSite == StackSampleState.Pack(key, siteId)
                || (state.Generation == key && SeenThisGeneration(ref state, siteId))))
        {
            return;
        }

        Sample(heap, operation, id, size, siteId);
    }

    /// <summary>The site's first allocation was written in this generation: remember it as the thread's known site.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SeenThisGeneration(ref StackSampleState state, int siteId)
    {
        int[] seen = s_seen;
        if ((uint)siteId < (uint)seen.Length && seen[siteId] != 0)
        {
            state.KnownSite = siteId;
            return true;
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sample(ThreadHeap heap, byte operation, long id, nuint size, int siteId)
    {
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (!log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Stacks))
        {
            return;
        }

        if (Mode == StackMode.All)
        {
            log.StackSample(operation, WireStackReason.Every, id, size, siteId, 0);
            return;
        }

        long interval = SampleBytes;
        ref StackSampleState state = ref heap.StackSampling;
        int generation = Volatile.Read(ref s_generation);
        if (state.Generation != generation)
        {
            // First sampled allocation of this thread in this session: seed, and start the countdown afresh.
            state.Generation = generation;
            state.KnownSite = -1;
            state.Random = Seed();
            state.BytesLeft = DrawInterval(ref state.Random, interval) - (long)size;
        }

        bool crossed = state.BytesLeft <= 0;
        if (crossed)
        {
            // The exponential is memoryless: drawing afresh keeps every later block's chance at 1 - exp(-s / interval).
            state.BytesLeft = DrawInterval(ref state.Random, interval);
        }

        if (FirstAtSite(siteId))
        {
            log.StackSample(operation, WireStackReason.FirstAtSite, id, size, siteId, interval);
        }
        else if (crossed)
        {
            log.StackSample(operation, WireStackReason.Sampled, id, size, siteId, interval);
        }
    }

    /// <summary>
    /// A view acquired, an owner created or a resize refused (<paramref name="operation"/>, <paramref name="id"/> the view's or owner's): in
    /// every stacks mode its stack is written, on the calling thread. They are rare, and a finding about a view or owner
    /// names its acquire or creation: without the stack a shared helper's callers could not be told apart.
    /// </summary>
    public static void Always(byte operation, long id, nuint size, int siteId)
    {
        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled(EventLevel.Verbose, AllocatorEventSource.Keywords.Stacks))
        {
            log.StackSample(operation, WireStackReason.Every, id, size, siteId, 0);
        }
    }

    /// <summary>True once per site and generation: the first allocation seen there.</summary>
    private static bool FirstAtSite(int siteId)
    {
        if (siteId < 0)
        {
            return false;
        }

        int[] seen = s_seen;
        if (siteId >= seen.Length)
        {
            lock (s_lock)
            {
                seen = s_seen;
                if (siteId >= seen.Length)
                {
                    int[] grown = new int[Math.Max(seen.Length * 2, siteId + 1)];
                    seen.AsSpan().CopyTo(grown);
                    s_seen = seen = grown;
                }
            }
        }

        // A set racing with the growth above may be lost: the site's next allocation is then written as a first one
        // too. Both stand for themselves exactly, so no estimate is biased by it.
        return Interlocked.Exchange(ref seen[siteId], 1) == 0;
    }

    /// <summary>An exponentially distributed interval with mean <paramref name="meanBytes"/> (at least 1 byte).</summary>
    internal static long DrawInterval(ref ulong random, long meanBytes)
    {
        // xorshift64*: uniform u in (0, 1], then -mean · ln(u).
        ulong x = random;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        random = x;
        double u = (((x * 0x2545F4914F6CDD1DUL) >> 11) + 1) * (1.0 / (1UL << 53));
        double interval = -Math.Log(u) * meanBytes;
        return interval >= long.MaxValue ? long.MaxValue : Math.Max(1, (long)Math.Ceiling(interval));
    }

    internal static ulong Seed()
    {
        ulong seed = (ulong)Random.Shared.NextInt64();
        return seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    }

    private static StackMode? ParseMode(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "all" => StackMode.All,
        "sampled" => StackMode.Sampled,
        "none" => StackMode.None,
        _ => null,
    };
}
