// InterceptedInterop: native memory managed with plain NativeMemory and Marshal calls, no LeakScope call anywhere.
// Built with <LeakScopeIntercept>true</LeakScopeIntercept> against the LeakScope.Allocator package, every call below is
// tracked; `leakscope trace -- dotnet InterceptedInterop.dll` reports each planted bug (a "PLANTED:" marker on its line)
// and nothing else. Without interception the double free below would abort the process (glibc); with it, it lives on.
using System.Runtime.InteropServices;

namespace InterceptedInterop;

public static unsafe class Program
{
    public static int Main(string[] args)
    {
        bool safe = args.Contains("--safe");
        Console.WriteLine($"InterceptedInterop pid {Environment.ProcessId}");

        CleanTraffic();
        ParallelTraffic();
        RuntimeAllocatedString();
        Leaks();
        CrossFamilyFrees();
        if (!safe)
        {
            DoubleFree();
        }

        Console.WriteLine("ALIVE at the end");
        return 0;
    }

    /// <summary>Correct use of every family: nothing to report.</summary>
    private static void CleanTraffic()
    {
        for (int i = 0; i < 200; i++)
        {
            nuint size = (nuint)(16 + (i % 256));
            void* native = NativeMemory.Alloc(size);
            native = NativeMemory.Realloc(native, size * 2);
            NativeMemory.Free(native);

            void* zeroed = NativeMemory.AllocZeroed(4, size);
            NativeMemory.Free(zeroed);

            void* aligned = NativeMemory.AlignedAlloc(size, 64);
            NativeMemory.AlignedFree(aligned);

            nint hglobal = Marshal.AllocHGlobal((int)size);
            hglobal = Marshal.ReAllocHGlobal(hglobal, (nint)(size + 8));
            Marshal.FreeHGlobal(hglobal);

            nint task = Marshal.AllocCoTaskMem((int)size);
            Marshal.FreeCoTaskMem(task);
        }
    }

    /// <summary>
    /// Correct use on thread-pool workers that go idle afterwards and are still alive at exit: the pairs they folded are
    /// never published, and the report counts them from the process's own final counts (docs/analysis.md, "Lifetime counts").
    /// </summary>
    private static void ParallelTraffic() =>
        Parallel.For(0, 4, worker =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                void* block = NativeMemory.AllocZeroed((nuint)(8 + ((i + worker) % 120)));
                NativeMemory.Free(block);
            }
        });

    /// <summary>The runtime allocates the string (not intercepted); freeing it normally is not a finding.</summary>
    private static void RuntimeAllocatedString()
    {
        nint text = Marshal.StringToHGlobalAnsi("allocated by the runtime");
        Console.WriteLine(Marshal.PtrToStringAnsi(text));
        Marshal.FreeHGlobal(text);
    }

    private static readonly List<nint> s_kept = new();

    private static void Leaks()
    {
        s_kept.Add((nint)NativeMemory.Alloc(100)); // PLANTED:native-leak

        for (int i = 0; i < 3; i++)
        {
            s_kept.Add(Marshal.AllocHGlobal(64)); // PLANTED:hglobal-leak
        }

        s_kept.Add((nint)NativeMemory.AlignedAlloc(256, 64)); // PLANTED:aligned-leak

        nint grown = Marshal.AllocCoTaskMem(10);
        grown = Marshal.ReAllocCoTaskMem(grown, 300); // PLANTED:cotaskmem-realloc-leak
        s_kept.Add(grown);
    }

    private static void CrossFamilyFrees()
    {
        // Works on Linux (both are malloc), corrupts the heap on Windows.
        nint hglobal = Marshal.AllocHGlobal(48); // PLANTED:hglobal-alloc
        Marshal.FreeCoTaskMem(hglobal); // PLANTED:hglobal-freed-by-cotaskmem

        void* aligned = NativeMemory.AlignedAlloc(128, 32); // PLANTED:aligned-alloc
        NativeMemory.Free(aligned); // PLANTED:aligned-freed-by-free
    }

    private static void DoubleFree()
    {
        void* block = NativeMemory.Alloc(40); // PLANTED:double-alloc
        NativeMemory.Free(block);
        NativeMemory.Free(block); // PLANTED:double-free
    }
}
