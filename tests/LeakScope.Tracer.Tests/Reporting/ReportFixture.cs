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

    public const string HostileMember = "<script>alert(1)</script>";
    public const string HostileFile = "/src/\"quoted\" & <b>bold</b>/it's.cs";
    public const string HostileCommand = "dotnet </code><img src=x onerror=alert(2)> \u0001bell";

    /// <summary>Sites and a command line written by an attacker: markup, quotes, ampersands, a control character; heartbeats for a chart.</summary>
    public static TraceReport Hostile(LeakScope.Tracer.Gate.GatePolicy? gate = null)
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10, HostileMember, HostileFile)
            .Site(2, 20, "Free\u0007]]>", "/src/App/Program.cs")
            .Heartbeat(0, 0, 0, 0)
            .Alloc(1, 100, site: 1, HeapFamily.Raw)
            .Heartbeat(1, 100, 0, 0)
            .Alloc(2, 50, site: 1, HeapFamily.Pool)
            .Heartbeat(1, 100, 1, 50)
            .Misuse(MisuseKind.DoubleFree, HeapFamily.Pool, HeapFamily.Pool, 9, 16, site: 2, allocationSite: 1)
            .Heartbeat(1, 100, 1, 50, final: true)
            .When();
        var report = new TraceReport(result, new TargetInfo(4321, HostileCommand) { ExitCode = 3 }, Session: null);
        return gate is null ? report : report with { Gate = gate.Evaluate(result) };
    }
}
