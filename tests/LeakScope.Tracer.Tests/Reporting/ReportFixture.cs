using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;
using LeakScope.Tracer.Tests.Analysis;

namespace LeakScope.Tracer.Tests.Reporting;

/// <summary>A report with one finding of several kinds, fixed numbers and no timing, for golden comparisons.</summary>
internal static class ReportFixture
{
    public static TraceReport Create(long eventsLost = 0)
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 60, "PlantedBugs", "/src/Demo/Program.cs").Site(2, 64, "PlantedBugs", "/src/Demo/Program.cs")
            .Site(3, 67, "PlantedBugs", "/src/Demo/Program.cs").Site(4, 68, "PlantedBugs", "/src/Demo/Program.cs")
            .Site(5, 77, "PlantedBugs", "/src/Demo/Program.cs")
            .Alloc(1, 80, site: 1).Alloc(2, 80, site: 1).Alloc(3, 80, site: 1)
            .Alloc(4, 200, site: 2, HeapFamily.Raw)
            .Alloc(5, 64, site: 3, HeapFamily.Raw)
            .Misuse(MisuseKind.MismatchedFree, HeapFamily.Raw, HeapFamily.Pool, 5, 64, site: 4, allocationSite: 3)
            .Free(5, 64, freeSite: 4, HeapFamily.Raw)
            .Misuse(MisuseKind.InvalidFree, HeapFamily.Unknown, HeapFamily.Raw, 0, 0, site: 5, allocationSite: 0)
            .Heartbeat(1, 200, 3, 240, final: true)
            .When(new StreamSummary(StreamEnd.TargetExited, EventsLost: eventsLost));
        return new TraceReport(result, new TargetInfo(1234, "dotnet Demo.dll") { ExitCode = 0 }, Session: null);
    }
}
