// LeakScope.StressTarget: a multi-threaded allocator workload with planted bugs at stable lines, for the end-to-end
// reliability tests. Worker threads allocate, calloc, realloc and free in both families, hand blocks to each other,
// use views of native buffers while other threads try to resize them, and plant misuse every so often. Every planted
// call carries a "PLANTED:" marker; the tests read the expected lines from them. At the end it prints
//   HEAPSTATS {json}   the allocator's own counts (the format MisuseDemo prints)
//   STRESS {json}      what it planted and how many resizes of the shared buffer were refused
// then, as asked, churns a tick a line of standard input (--forever), or waits for a file before going on (--wait-for-file).
// With --leak-every-ms it only leaks, one block every few ms until killed, and says when it leaked each (LEAK lines).
using System.Text.Json;
using LeakScope.Allocator;
using LeakScope.Samples.Shared;
using LeakScope.StressTarget;

var options = StressOptions.Parse(args);
Console.WriteLine($"StressTarget pid {Environment.ProcessId}");
unsafe
{
    RawHeap.Free(RawHeap.Malloc(16)); // Creates the event source, so a tracer can enable it.
}

Console.WriteLine($"READY {Environment.ProcessId}");
if (options.WaitForTracer)
{
    TracerWait.WaitForTracer();
}

if (options.LeakEveryMs > 0)
{
    Workload.LeakEvery(options.LeakEveryMs);
}

var planted = new Dictionary<string, long>();
if (options.Flood > 0)
{
    Workload.Flood(options.Flood);
    planted["floodPairs"] = options.Flood;
}
else
{
    planted = Workload.Run(options.Threads, options.Ops);
}

Console.WriteLine(HeapStatsLine.Capture());
Console.WriteLine("STRESS " + JsonSerializer.Serialize(planted));
Console.Out.Flush();

if (options.Forever)
{
    Console.WriteLine("CHURNING");
    Workload.ChurnOnRequest(Console.In);
}

if (options.WaitForFile is string go)
{
    Console.WriteLine("WAITING");
    if (!FileSignal.Wait(go, TimeSpan.FromSeconds(60)))
    {
        Console.Error.WriteLine($"StressTarget: {go} did not appear within 60 s");
        return 4;
    }
}

if (options.Throw)
{
    Console.WriteLine("THROWING");
    Console.Out.Flush();
    throw new InvalidOperationException("StressTarget: a planted unhandled exception");
}

return 0;
