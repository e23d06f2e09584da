using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using LeakScope.Allocator;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Benchmarks;

/// <summary>
/// What interception costs untraced: an alloc immediately followed by its free, mixed sizes 16–271 B, through plain
/// <see cref="NativeMemory"/> (the baseline), through <see cref="TrackedNativeMemory"/> (what an intercepted
/// <c>NativeMemory.Alloc</c> / <c>Free</c> calls, with the caller-info a generated interceptor passes), and through
/// <see cref="RawHeap"/>. The bar (issue 14): intercepted ≤ 1.5× plain.
/// </summary>
public unsafe class InterceptedAllocFreeBenchmarks
{
    private const int Pairs = 256;

    private readonly nuint[] _sizes = new nuint[Pairs];

    [GlobalSetup]
    public void Setup()
    {
        if (Instrumentation.Active)
        {
            throw new InvalidOperationException("The LeakScope-Allocator event source is enabled: these benchmarks measure the untraced allocator.");
        }

        for (int i = 0; i < Pairs; i++)
        {
            _sizes[i] = (nuint)(16 + ((i * 37) % 256));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public void NativeMemory_AllocFree()
    {
        nuint[] sizes = _sizes;
        for (int i = 0; i < sizes.Length; i++)
        {
            void* block = NativeMemory.Alloc(sizes[i]);
            NativeMemory.Free(block);
        }
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void Intercepted_AllocFree()
    {
        nuint[] sizes = _sizes;
        for (int i = 0; i < sizes.Length; i++)
        {
            // The call a generated interceptor makes: constant caller-info, as for one call site.
            void* block = TrackedNativeMemory.Alloc(sizes[i], "/src/Program.cs", 12, "Run");
            TrackedNativeMemory.Free(block, "/src/Program.cs", 13, "Run");
        }
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void RawHeap_MallocFree()
    {
        nuint[] sizes = _sizes;
        for (int i = 0; i < sizes.Length; i++)
        {
            void* block = RawHeap.Malloc(sizes[i]);
            RawHeap.Free(block);
        }
    }
}
