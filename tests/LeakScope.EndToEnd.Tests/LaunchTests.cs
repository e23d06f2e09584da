using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>MisuseDemo launched under the tracer (library API) over real EventPipe, from its first allocation.</summary>
[Collection(EventPipeCollection.Name)]
public class LaunchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static async Task<(TraceOutcome Outcome, StringWriter Output)> LaunchDemoAsync(TraceOptions options, params string[] demoArgs)
    {
        var output = new StringWriter();
        var spec = new LaunchSpec("dotnet", [Repo.MisuseDemoDll, .. demoArgs]) { StandardOutput = output, StandardError = output };
        using var timeout = new CancellationTokenSource(Bound);
        TraceOutcome outcome = await TraceRunner.LaunchAsync(spec, options, timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "the traced run hit the test's time bound");
        return (outcome, output);
    }

    [Fact]
    public async Task Every_planted_bug_is_reported_at_its_line_with_its_bytes_and_the_account_equals_HeapStats()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (TraceOutcome outcome, StringWriter output) = await LaunchDemoAsync(TraceOptions.Default);
        AnalysisResult result = outcome.Analysis;

        PlantedBugs.AssertExactly(result.Findings.Select(FindingSignature.From));
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.Equal(0, result.Completeness.EventsLost);
        Assert.Equal(0, outcome.Target.ExitCode);
        Assert.Equal(StreamEnd.TargetExited, result.End);

        // Launched suspended: the tracer saw every operation, so even the cumulative totals agree.
        HeapStatsLine truth = HeapStatsLine.Parse(output.ToString().Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.Equal(truth.Raw, result.Raw);
        Assert.Equal(truth.Pool, result.Pool);
        Assert.Equal(0, result.Statistics.RundownBlocks);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_target_killed_mid_trace_still_yields_a_report_marked_incomplete()
    {
        (TraceOutcome outcome, _) = await LaunchDemoAsync(TraceOptions.Default, "--crash");

        Assert.False(outcome.Analysis.Completeness.Complete);
        Assert.NotEqual(0, outcome.Target.ExitCode);
        Assert.Contains(outcome.Analysis.Completeness.Reasons, r => r.Contains("killed or crashed", StringComparison.Ordinal));
        Assert.All(outcome.Analysis.OfKind(FindingKind.Leak), f => Assert.True(f.Uncertain));
    }

    [Fact]
    public async Task At_the_duration_the_tracer_detaches_drains_and_judges_the_live_blocks()
    {
        // The duration is the user's time budget, so this test cannot avoid one: it is long enough for MisuseDemo to
        // finish its work on a loaded machine (2 s was not, once, at load 30) and far shorter than the demo's sleep.
        var options = TraceOptions.Default with { Duration = TimeSpan.FromSeconds(6) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (TraceOutcome outcome, StringWriter output) = await LaunchDemoAsync(options, "--sleep-after-ms", "60000");

        AnalysisResult result = outcome.Analysis;
        Assert.Equal(StreamEnd.Duration, result.End);
        Assert.True(outcome.Target.KilledByTracer);
        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.Contains("HEAPSTATS ", output.ToString(), StringComparison.Ordinal); // the demo finished its work in time
        PlantedBugs.AssertExactly(result.Findings.Select(FindingSignature.From));
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        HeapStatsLine truth = HeapStatsLine.Parse(output.ToString().Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.True(truth.Raw.SameLive(result.Raw) && truth.Pool.SameLive(result.Pool));
        Assert.True(outcome.Session.StopToEnd < TimeSpan.FromSeconds(5), $"stop to end {outcome.Session.StopToEnd}");
    }

    [Fact]
    public async Task The_recorded_nettrace_replays_to_the_same_findings()
    {
        string path = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.nettrace");
        try
        {
            (TraceOutcome live, _) = await LaunchDemoAsync(TraceOptions.Default with { NetTracePath = path });
            TraceOutcome replay = TraceRunner.AnalyzeFile(path);

            Assert.Equal(live.Analysis.Findings.Select(FindingSignature.From), replay.Analysis.Findings.Select(FindingSignature.From));
            Assert.Equal(live.Analysis.Raw, replay.Analysis.Raw);
            Assert.Equal(live.Analysis.Pool, replay.Analysis.Pool);
            Assert.True(replay.Analysis.Completeness.Complete, string.Join("; ", replay.Analysis.Completeness.Reasons));
            Assert.Equal(live.Target.Pid, replay.Target.Pid);
            Assert.Contains("MisuseDemo.dll", replay.Target.Command, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
            File.Delete(TraceRunner.ExitFileBeside(path));
        }
    }

    [Fact]
    public async Task A_command_that_cannot_start_is_a_target_unavailable_error()
    {
        var spec = new LaunchSpec("/nonexistent/leakscope-e2e-no-such-program", []);
        await Assert.ThrowsAsync<TargetUnavailableException>(() => TraceRunner.LaunchAsync(spec, TraceOptions.Default));
    }
}
