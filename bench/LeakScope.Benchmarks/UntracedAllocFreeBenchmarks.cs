using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using LeakScope.Allocator;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Benchmarks;

/// <summary>
/// One malloc immediately followed by its free, with no tracer attached, against the system allocator
/// (<see cref="NativeMemory"/>) as the baseline. The quality bars: <see cref="RawHeap"/>
/// ≤ 1.1× and <see cref="PoolHeap"/> ≤ 1.0× the baseline for sizes up to 512 bytes. Each invocation
/// runs <see cref="Pairs"/> pairs so the harness's own cost stays out of the ratio.
/// </summary>
public unsafe class UntracedAllocFreeBenchmarks
{
    private const int Pairs = 100;

    private nuint _size;

    [Params(16, 64, 256, 512)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // "Untraced" must mean it: with a listener or session attached every operation publishes an event.
        if (Instrumentation.Active)
        {
            throw new InvalidOperationException("The LeakScope-Allocator event source is enabled: these benchmarks measure the untraced allocator.");
        }

        _size = (nuint)Size;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public void NativeMemory_AllocFree()
    {
        nuint size = _size;
        for (int i = 0; i < Pairs; i++)
        {
            void* block = NativeMemory.Alloc(size);
            NativeMemory.Free(block);
        }
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void RawHeap_MallocFree()
    {
        nuint size = _size;
        for (int i = 0; i < Pairs; i++)
        {
            void* block = RawHeap.Malloc(size);
            RawHeap.Free(block);
        }
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public void PoolHeap_MallocFree()
    {
        nuint size = _size;
        for (int i = 0; i < Pairs; i++)
        {
            void* block = PoolHeap.Malloc(size);
            PoolHeap.Free(block);
        }
    }
}
