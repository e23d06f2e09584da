using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LeakScope.Allocator;

namespace LeakScope.Benchmarks.Ratios;

/// <summary>
/// The timed loops. Each heap gets its own copy of a loop (a generic over a struct "heap" type), so the JIT
/// compiles the allocator's inlined fast path into it exactly as into a user's loop, with no switch per call.
/// </summary>
internal static unsafe class Loops
{
    /// <summary>Sizes 16–271 bytes, a fixed pseudo-random sequence (the same for every heap).</summary>
    public static readonly nuint[] MixedSizes = CreateMixedSizes(4096);

    public const int SizeMask = 4096 - 1;

    public static long Pairs<THeap>(long count, nuint size)
        where THeap : struct, IHeap
    {
        for (long i = 0; i < count; i++)
        {
            void* p = THeap.Alloc(size);
            THeap.Free(p);
        }

        return count;
    }

    /// <summary>Alloc then free, the size changing on every call.</summary>
    public static long MixedPairs<THeap>(long count)
        where THeap : struct, IHeap
    {
        nuint[] sizes = MixedSizes;
        for (long i = 0; i < count; i++)
        {
            void* p = THeap.Alloc(sizes[(int)i & SizeMask]);
            THeap.Free(p);
        }

        return count;
    }

    /// <summary>A window of <paramref name="window"/> live blocks of mixed sizes: each step frees the oldest and allocates one.</summary>
    public static long MixedRing<THeap>(long count, int window)
        where THeap : struct, IHeap
    {
        nuint[] sizes = MixedSizes;
        var ring = new nint[window];
        for (int i = 0; i < window; i++)
        {
            ring[i] = (nint)THeap.Alloc(sizes[i & SizeMask]);
        }

        int slot = 0;
        for (long i = 0; i < count; i++)
        {
            THeap.Free((void*)ring[slot]);
            ring[slot] = (nint)THeap.Alloc(sizes[(int)i & SizeMask]);
            if (++slot == window)
            {
                slot = 0;
            }
        }

        for (int i = 0; i < window; i++)
        {
            THeap.Free((void*)ring[i]);
        }

        return count;
    }

    /// <summary>Two call sites used alternately; <paramref name="secondLine"/> decides whether their lines collide mod 256.</summary>
    public static long TwoSites<THeap>(long count, int secondLine)
        where THeap : struct, IHeap
    {
        const string File = "/bench/TwoSites.cs";
        const string Member = "TwoSites";
        for (long i = 0; i < count; i++)
        {
            void* a = THeap.AllocAt(64, File, 1000, Member);
            void* b = THeap.AllocAt(64, File, secondLine, Member);
            THeap.Free(a);
            THeap.Free(b);
        }

        return count * 2;
    }

    /// <summary>
    /// Calls every loop often enough, with short counts, for tiered compilation to replace it with its final (tier-1)
    /// code before anything is timed; otherwise a loop run a few times with long counts is timed in its on-stack-replaced
    /// variant, which a program's hot loop would leave behind.
    /// </summary>
    public static void WarmUp()
    {
        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 0; i < 60; i++)
            {
                WarmOne<NativeHeap>();
                WarmOne<Raw>();
                WarmOne<Pool>();
                WarmOne<NativeWithClaim>();
                WarmOne<Intercepted>();
                WarmOne<NativeWithThreadState>();
                WarmOne<NativeWithQuarantine>();
                WarmOne<MinimalTracking>();
            }

            Thread.Sleep(500); // the tier-1 compiles run in the background
        }
    }

    private static void WarmOne<THeap>()
        where THeap : struct, IHeap
    {
        Pairs<THeap>(50, 64);
        MixedPairs<THeap>(50);
        MixedRing<THeap>(50, 64);
        TwoSites<THeap>(20, 1001);
    }

    private static nuint[] CreateMixedSizes(int n)
    {
        var random = new Random(20261202);
        var sizes = new nuint[n];
        for (int i = 0; i < n; i++)
        {
            sizes[i] = (nuint)random.Next(16, 272);
        }

        return sizes;
    }
}

/// <summary>A heap as a type parameter, so each loop is compiled once per heap with direct, inlinable calls.</summary>
internal unsafe interface IHeap
{
    static abstract void* Alloc(nuint size);

    static abstract void* AllocAt(nuint size, string file, int line, string member);

    static abstract void Free(void* block);
}

internal unsafe struct NativeHeap : IHeap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size) => NativeMemory.Alloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocAt(nuint size, string file, int line, string member) => NativeMemory.Alloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => NativeMemory.Free(block);
}

internal unsafe struct Raw : IHeap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size) => RawHeap.Malloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocAt(nuint size, string file, int line, string member) => RawHeap.Malloc(size, file, line, member);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => RawHeap.Free(block);
}

internal unsafe struct Pool : IHeap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size) => PoolHeap.Malloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocAt(nuint size, string file, int line, string member) => PoolHeap.Malloc(size, file, line, member);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => PoolHeap.Free(block);
}

/// <summary>
/// The system allocator plus what a LeakScope free adds to claim a block: a state byte written on allocation and one
/// compare-exchange on it on free (docs/heaps.md, "Racing frees"). The difference to <see cref="NativeHeap"/> is that
/// instruction's cost in the same loop.
/// </summary>
internal unsafe struct NativeWithClaim : IHeap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size)
    {
        void* block = NativeMemory.Alloc(size);
        Volatile.Write(ref *(byte*)block, 0xA1);
        return block;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocAt(nuint size, string file, int line, string member) => Alloc(size);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block)
    {
        if (Interlocked.CompareExchange(ref *(byte*)block, 0xF7, 0xA1) == 0xA1)
        {
            NativeMemory.Free(block);
        }
    }
}


/// <summary>
/// What a generated interceptor calls for <c>NativeMemory.Alloc</c> / <c>Free</c> (docs/interception.md): the tracked
/// family, with the call site's <see cref="TrackedSite"/> held in a static field as the generated code holds it.
/// </summary>
internal unsafe struct Intercepted : IHeap
{
    private static readonly TrackedSite s_alloc = new("/src/Program.cs", 12, "Run");
    private static readonly TrackedSite s_free = new("/src/Program.cs", 13, "Run");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size) => TrackedNativeMemory.Alloc(size, s_alloc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* AllocAt(nuint size, string file, int line, string member) => TrackedNativeMemory.Alloc(size, file, line, member);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* block) => TrackedNativeMemory.Free(block, s_free);
}
