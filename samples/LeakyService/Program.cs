// LeakyService: a long-running program with planted native-memory bugs (PlantedBugs.cs, README.md) for the tracer to
// find. Prints "LeakyService pid <pid>" first, ticks every ~100 ms, and runs until Ctrl+C / SIGTERM or --duration.
//
//   dotnet LeakyService.dll [--duration <seconds>] [--report-events]
//
// --report-events counts, in-process, the LeakScope-Allocator events the bugs publish and prints them at exit.
using System.Globalization;
using System.Runtime.InteropServices;
using LeakScope.Allocator;
using LeakScope.Samples;
using LeakScope.Samples.Shared;

Console.WriteLine($"LeakyService pid {Environment.ProcessId}");

double? duration = null;
bool reportEvents = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--duration" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0:
            duration = seconds;
            i++;
            break;
        case "--report-events":
            reportEvents = true;
            break;
        default:
            Console.Error.WriteLine($"LeakyService: unknown or incomplete argument '{args[i]}'. Usage: LeakyService [--duration <seconds>] [--report-events]");
            return 2;
    }
}

using var stop = new CancellationTokenSource();
if (duration is double limit)
{
    stop.CancelAfter(TimeSpan.FromSeconds(limit));
}

Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

using EventCounts? events = reportEvents ? new EventCounts() : null;
long ticks = 0;
using (var bugs = new PlantedBugs())
{
    do
    {
        Service.Tick(bugs, ticks++);
    }
    while (!stop.Token.WaitHandle.WaitOne(Service.TickMilliseconds));

    // Let the finalizer report the last leaked views and owners before the buffers go.
    Service.CollectGarbage();
    Console.WriteLine($"LeakyService stopping after {ticks} ticks: {bugs.BlockedResizes} blocked resizes, {bugs.MisusesThrown} misuse exceptions");
}

Console.WriteLine($"HeapStats: {HeapStats.Capture()}");
Console.WriteLine(HeapStatsLine.Capture());
if (events is not null)
{
    Console.WriteLine($"Events: {events}");
}

return 0;
