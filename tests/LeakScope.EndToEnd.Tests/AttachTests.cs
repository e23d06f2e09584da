using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>Attaching late to a running MisuseDemo that holds blocks from before the session.</summary>
[Collection(EventPipeCollection.Name)]
public class AttachTests
{
    [Fact]
    public async Task Blocks_from_before_the_attach_come_from_the_rundown_and_freeing_them_is_no_misuse()
    {
        using var demo = TestProcess.Start("dotnet", Repo.MisuseDemoDll, "--hold", "6", "--wait-for-tracer");
        await demo.WaitForLineAsync("READY", TimeSpan.FromSeconds(20));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        TraceOutcome outcome = await TraceRunner.AttachAsync(demo.Id, TraceOptions.Default, timeout.Token);
        Assert.Equal(0, await demo.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("TRACED", demo.Lines);

        AnalysisResult result = outcome.Analysis;

        // Exactly the planted bugs (one invalid free, one double free): the three held blocks freed after
        // the attach are not misreported, and the three still held leak at their allocation line.
        PlantedBugs.AssertExactly(result.Findings.Select(FindingSignature.From), heldLeaked: 3);
        Assert.True(result.Statistics.RundownBlocks >= 6, $"rundown blocks {result.Statistics.RundownBlocks}");
        Assert.Equal(0, result.Completeness.UntrackedFrees);
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));

        HeapStatsLine truth = HeapStatsLine.Parse(demo.Lines);
        Assert.True(truth.Raw.SameLive(result.Raw), $"raw: target {truth.Raw}, tracer {result.Raw}");
        Assert.True(truth.Pool.SameLive(result.Pool), $"pool: target {truth.Pool}, tracer {result.Pool}");
        Assert.Equal(demo.Id, outcome.Target.Pid);
        Assert.Contains("MisuseDemo.dll", outcome.Target.Command, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pid_with_no_process_is_a_target_unavailable_error()
    {
        var e = await Assert.ThrowsAsync<TargetUnavailableException>(() => TraceRunner.AttachAsync(int.MaxValue - 7, TraceOptions.Default));
        Assert.Contains("no running process", e.Message, StringComparison.Ordinal);
    }
}
