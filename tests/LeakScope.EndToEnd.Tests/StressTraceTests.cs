using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// A multi-threaded workload (cross-thread frees in both families, calloc, realloc, views and refused resizes, misuse
/// every so often) launched under the tracer over real EventPipe: the tracer's account must equal the target's own
/// <c>HeapStats</c> — live and cumulative, since it saw everything from the first allocation — and its findings must be
/// exactly the planted ones.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class StressTraceTests
{
    [Fact]
    public async Task A_multi_threaded_workload_traced_from_its_start_has_the_exact_account_and_exactly_the_planted_findings()
    {
        var output = new StringWriter();
        var spec = new LaunchSpec("dotnet", [StressTarget.Dll, "--threads", "4", "--ops", "20000"]) { StandardOutput = output, StandardError = output };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string[] socketsBefore = ProcessHygiene.LauncherSockets();

        TraceOutcome outcome = await TraceRunner.LaunchAsync(spec, TraceOptions.Default, timeout.Token);

        Assert.False(timeout.IsCancellationRequested, "the traced run hit the test's time bound");
        AnalysisResult result = outcome.Analysis;
        string[] lines = StressTarget.Lines(output).ToArray();
        Assert.True(outcome.Target.ExitCode == 0, $"exit code {outcome.Target.ExitCode}:\n{output}");
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.Equal(0, result.Completeness.EventsLost);

        HeapStatsLine truth = HeapStatsLine.Parse(lines);
        Assert.Equal(truth.Raw, result.Raw);
        Assert.Equal(truth.Pool, result.Pool);

        IReadOnlyDictionary<string, long> planted = StressTarget.Planted(lines);
        long misuse = planted["misusePerKind"];
        long threads = planted["threads"];
        string file = StressTarget.WorkloadSource;
        var expected = new List<FindingSignature>
        {
            new("leak", "pool", 5, 5 * 96, file, StressTarget.Line("stress-pool-leak"), null),
            new("leak", "raw", threads, threads * 128, file, StressTarget.Line("stress-thread-leak"), null),
            new("mismatched-free", "raw", misuse, misuse * 64, file, StressTarget.Line("stress-mismatched-alloc"), StressTarget.Line("stress-mismatched-free")),
            new("double-free", "pool", misuse, misuse * 48, file, StressTarget.Line("stress-double-alloc"), StressTarget.Line("stress-double-free")),
            new("invalid-free", "raw", misuse, 0, file, StressTarget.Line("stress-invalid-free"), StressTarget.Line("stress-invalid-free")),
            new("resize-with-views", "pool", planted["ownBlockedResizes"], planted["ownBlockedResizes"] * 16 * sizeof(long), file, StressTarget.Line("stress-own-resize"), null),
        };

        // Resizes of the shared buffer refused because another thread held a view: as many as the target counted.
        var findings = result.Findings.Select(FindingSignature.From).ToList();
        FindingSignature[] shared = findings.Where(f => f.Line == StressTarget.Line("stress-shared-resize")).ToArray();
        findings.RemoveAll(f => f.Line == StressTarget.Line("stress-shared-resize"));
        Assert.Equal(planted["sharedBlockedResizes"], shared.Sum(f => f.Count));
        Assert.All(shared, f => Assert.Equal(("resize-with-views", "pool"), (f.Kind, f.Family)));
        Assert.Equal(expected.Select(f => f.ToString()).Order(StringComparer.Ordinal), findings.Select(f => f.ToString()).Order(StringComparer.Ordinal));

        // Views named by the refused resizes are the ones acquired at the marked lines.
        Finding own = result.OfKind(FindingKind.ResizeWithViews).Single(f => f.Site.Line == StressTarget.Line("stress-own-resize"));
        Assert.Equal(StressTarget.Line("stress-own-view"), Assert.Single(own.Views).Site.Line);
        Assert.Equal(truth.RawMisuse + truth.PoolMisuse, result.Statistics.MisuseEvents);

        await ProcessHygiene.AssertGoneAsync(outcome.Target.Pid);
        Assert.Equal(socketsBefore, ProcessHygiene.LauncherSockets());
    }
}
