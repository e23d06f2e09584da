using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace LeakScope.Samples.Shared;

/// <summary>For attach tests: waits until a tracer's session has enabled <c>LeakScope-Allocator</c>, then says so.</summary>
internal static class TracerWait
{
    /// <summary>Waits (at most 30 s) until a session enables the source, lets its rundown finish, and prints <c>TRACED</c> (else <c>NO TRACER</c>).</summary>
    public static void WaitForTracer()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            EventSource? source = EventSource.GetSources().FirstOrDefault(s => s.Name == "LeakScope-Allocator");
            if (source is not null && source.IsEnabled())
            {
                Thread.Sleep(300);
                Console.WriteLine("TRACED");
                return;
            }

            Thread.Sleep(20);
        }

        Console.WriteLine("NO TRACER");
    }
}
