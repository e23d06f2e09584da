// MisuseDemo: a short program with planted native-memory bugs at stable lines, for LeakScope's
// end-to-end tests and for trying the tracer. Every planted bug's call carries a "PLANTED:" marker
// on its own line; the tests find the expected file:line by that marker. See README.md.
using System.Diagnostics;
using LeakScope.Allocator;
using LeakScope.Samples.Shared;

namespace MisuseDemo;

public static unsafe class Program
{
    public static int Main(string[] args)
    {
        var options = DemoOptions.Parse(args);
        Console.WriteLine($"MisuseDemo pid {Environment.ProcessId}");

        // Blocks that exist before a late tracer attaches (the rundown must report them).
        var held = new List<nint>();
        for (int i = 0; i < options.Hold; i++)
        {
            held.Add((nint)RawHeap.Malloc(128)); // PLANTED:held
        }

        RawHeap.Free(RawHeap.Malloc(16)); // Creates the event source, so a tracer can enable it.
        Console.WriteLine($"READY {Environment.ProcessId}");
        if (options.WaitForTracer)
        {
            TracerWait.WaitForTracer();
        }

        Pause(options);

        // Half of the held blocks are freed after the attach: no invalid or double free may be reported.
        for (int i = 0; i < held.Count / 2; i++)
        {
            RawHeap.Free((void*)held[i]);
        }

        CleanTraffic(options.Rounds);
        PlantedBugs();

        Console.WriteLine(HeapStatsLine.Capture());
        Sleep(options.SleepAfterMs);

        if (options.Crash)
        {
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill(); // Dies without its exit handlers: no final heartbeat.
        }

        return options.ExitCode;
    }

    private static void PlantedBugs()
    {
        // A pool leak: 3 blocks × 80 B from one site.
        for (int i = 0; i < 3; i++)
        {
            PoolHeap.Malloc(80); // PLANTED:pool-leak
        }

        // A raw leak: 1 block × 200 B.
        RawHeap.Malloc(200); // PLANTED:raw-leak

        // A mismatched free: raw block (64 B) freed through the pool family. It is still freed (Report policy).
        void* mismatched = RawHeap.Malloc(64); // PLANTED:mismatched-alloc
        PoolHeap.Free(mismatched); // PLANTED:mismatched-free

        // A double free of a 48 B pool block.
        void* twice = PoolHeap.Malloc(48); // PLANTED:double-alloc
        PoolHeap.Free(twice);
        PoolHeap.Free(twice); // PLANTED:double-free

        // An invalid free: a pointer no LeakScope heap handed out.
        byte* stack = stackalloc byte[32];
        RawHeap.Free(stack); // PLANTED:invalid-free

        // A block grown by realloc and never freed: it leaks at the realloc site (1000 B, raw).
        void* grown = RawHeap.Malloc(100);
        grown = RawHeap.Realloc(grown, 1000); // PLANTED:realloc-leak
        GC.KeepAlive((nint)grown);
    }

    /// <summary>Correct traffic that must produce no finding: alloc/free pairs, calloc, realloc, large blocks.</summary>
    private static void CleanTraffic(int rounds)
    {
        var blocks = new List<nint>(64);
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < 16; i++)
            {
                nuint size = (nuint)(8 + ((round * 16 + i) % 600));
                blocks.Add((nint)((i & 1) == 0 ? PoolHeap.Malloc(size) : RawHeap.Calloc(1, size)));
            }

            for (int i = 0; i < blocks.Count; i++)
            {
                if ((i & 1) == 0)
                {
                    PoolHeap.Free((void*)blocks[i]);
                }
                else
                {
                    RawHeap.Free((void*)blocks[i]);
                }
            }

            blocks.Clear();
        }

        void* resized = PoolHeap.Malloc(24);
        resized = PoolHeap.Realloc(resized, 40);
        resized = PoolHeap.Realloc(resized, 4096);
        PoolHeap.Free(resized);
        RawHeap.Free(RawHeap.Realloc(null, 64));
        RawHeap.Free(null);
    }

    /// <summary>Before the work: <c>--sleep-ms</c>, then with <c>--wait-for-input</c> until a line (or the end) of standard input.</summary>
    private static void Pause(DemoOptions options)
    {
        Sleep(options.SleepMs);
        if (options.WaitForInput)
        {
            Console.WriteLine("WAITING FOR INPUT");
            _ = Console.In.ReadLine();
        }
    }

    private static void Sleep(int milliseconds)
    {
        if (milliseconds > 0)
        {
            Thread.Sleep(milliseconds);
        }
    }
}
