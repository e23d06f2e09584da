using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// The high-rate mode loses nothing: bench workloads launched under the tracer over real EventPipe end with the tracer's
/// account equal to the target's own HEAPSTATS — live and cumulative, per family — and the account marked complete.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class HighRateTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static async Task<(TraceOutcome Outcome, HeapStatsLine Truth)> TraceAsync(TraceOptions options, string workload, string scale)
    {
        var output = new StringWriter();
        var spec = new LaunchSpec("dotnet", [Repo.TraceBenchDll, workload, scale]) { StandardOutput = output, StandardError = output };
        using var timeout = new CancellationTokenSource(Bound);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TraceOutcome outcome = await TraceRunner.LaunchAsync(spec, options, timeout.Token);
        Assert.False(timeout.IsCancellationRequested, $"the traced run hit the test's time bound; output:\n{output}");
        Assert.True(clock.Elapsed < Bound, $"took {clock.Elapsed}");
        Assert.Equal(0, outcome.Target.ExitCode);
        string[] lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        return (outcome, HeapStatsLine.Parse(lines));
    }

    private static void AssertExact(TraceOutcome outcome, HeapStatsLine truth)
    {
        AnalysisResult result = outcome.Analysis;
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.Equal(0, result.Completeness.EventsLost);
        Assert.Equal(0, outcome.Session.Decoder.Undecodable);
        Assert.Equal(0, outcome.Session.Decoder.MissingBatches);
        Assert.Equal(ExitFileStatus.Read, outcome.Session.ExitFile);
        Assert.True(result.Completeness.CheckedAgainst?.Final, "checked against the final heartbeat of the exit file");
        Assert.True(outcome.Session.Decoder.Batches > 0, "the target published batches");

        // Launched suspended, so the tracer saw every operation: the cumulative totals agree too (folded pairs included).
        Assert.Equal(truth.Raw, result.Raw);
        Assert.Equal(truth.Pool, result.Pool);
        Assert.Equal(0, result.Statistics.DuplicateAllocations);
        Assert.Equal(0, result.Statistics.DuplicateFrees);
    }

    [Fact]
    public async Task Cross_thread_frees_arriving_before_their_allocation_are_matched()
    {
        (TraceOutcome outcome, HeapStatsLine truth) = await TraceAsync(TraceOptions.Default, "threads4", "0.2");
        AssertExact(outcome, truth);
        Assert.Equal(0, truth.Pool.LiveBlocks);
        Assert.Empty(outcome.Analysis.OfKind(FindingKind.Leak));
        Assert.Equal(0, outcome.Analysis.Completeness.UntrackedFrees);
    }

    [Fact]
    public async Task Folded_pairs_count_as_allocations_and_the_leaks_between_them_are_reported_at_their_line()
    {
        (TraceOutcome outcome, HeapStatsLine truth) = await TraceAsync(TraceOptions.Default, "fold-leaks", "0.5");
        AssertExact(outcome, truth);

        Finding leak = Assert.Single(outcome.Analysis.OfKind(FindingKind.Leak));
        Assert.Equal((500, 500 * 48L), (leak.Count, leak.Bytes));
        Assert.Equal(Repo.LeakLine("fold-leak"), leak.Site.Line);
        Assert.EndsWith("TestWorkloads.cs", leak.Site.File, StringComparison.Ordinal);

        // 500 000 pool alloc/free pairs, yet far fewer records: they were folded into per-site counters.
        Assert.True(outcome.Session.Decoder.BatchRecords < truth.Pool.Allocations / 10, $"{outcome.Session.Decoder.BatchRecords} records for {truth.Pool.Allocations} allocations");
    }

    [Fact]
    public async Task Threads_that_exit_with_records_unpublished_lose_none_of_them()
    {
        (TraceOutcome outcome, HeapStatsLine truth) = await TraceAsync(TraceOptions.Default, "thread-exits", "0.5");
        AssertExact(outcome, truth);

        Finding last = Assert.Single(outcome.Analysis.OfKind(FindingKind.Leak), f => f.Site.Line == Repo.LeakLine("thread-exit-leak"));
        Assert.Equal((16, 16 * 24L), (last.Count, last.Bytes));
        Assert.Equal(truth.Raw.LiveBlocks + truth.Pool.LiveBlocks, outcome.Analysis.LeakedBlocks);
    }

    [Fact]
    public async Task Blocks_freed_right_before_exit_are_freed_in_the_report_thanks_to_the_exit_file()
    {
        (TraceOutcome outcome, HeapStatsLine truth) = await TraceAsync(TraceOptions.Default, "free-at-exit", "1");
        AssertExact(outcome, truth);
        Assert.Equal(0, outcome.Analysis.LiveBlocks);
        Assert.Empty(outcome.Analysis.OfKind(FindingKind.Leak));
        Assert.True(outcome.Session.EndToJudged < TimeSpan.FromSeconds(0.5), $"stream end to judged result: {outcome.Session.EndToJudged}");
    }

    [Fact]
    public async Task Per_operation_events_give_the_same_exact_account()
    {
        (TraceOutcome outcome, HeapStatsLine truth) = await TraceAsync(TraceOptions.Default with { PerOperation = true }, "thread-exits", "0.25");
        AnalysisResult result = outcome.Analysis;
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.Equal(0, outcome.Session.Decoder.Batches);
        Assert.Equal(truth.Raw, result.Raw);
        Assert.Equal(truth.Pool, result.Pool);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_recording_replays_to_the_same_account_and_without_its_exit_file_only_per_operation_events_stay_complete(bool perOperation)
    {
        string path = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.nettrace");
        try
        {
            (TraceOutcome live, _) = await TraceAsync(TraceOptions.Default with { PerOperation = perOperation, NetTracePath = path }, "fold-leaks", "0.05");
            TraceOutcome replay = TraceRunner.AnalyzeFile(path);

            Assert.True(replay.Analysis.Completeness.Complete, string.Join("; ", replay.Analysis.Completeness.Reasons));
            Assert.Equal(live.Analysis.Raw, replay.Analysis.Raw);
            Assert.Equal(live.Analysis.Pool, replay.Analysis.Pool);
            Assert.Equal(ExitFileStatus.Read, replay.Session.ExitFile);
            Assert.Equal(perOperation, replay.Session.PerOperation);

            // As dotnet-trace would have recorded it: no exit file beside it.
            File.Delete(TraceRunner.ExitFileBeside(path));
            TraceOutcome bare = TraceRunner.AnalyzeFile(path);
            Assert.Equal(ExitFileStatus.NotRequested, bare.Session.ExitFile);
            Assert.Equal(perOperation, bare.Analysis.Completeness.Complete);
            if (perOperation)
            {
                Assert.Equal(50, bare.Analysis.OfKind(FindingKind.Leak).Sum(f => f.Count));
            }
            else
            {
                // Whatever the batches in the stream held, the findings are marked as doubtful.
                Assert.All(bare.Analysis.OfKind(FindingKind.Leak), f => Assert.True(f.Uncertain));
            }
        }
        finally
        {
            File.Delete(path);
            File.Delete(TraceRunner.ExitFileBeside(path));
        }
    }

    [Fact]
    public async Task The_cli_asks_for_batches_by_default_and_for_per_operation_events_on_request()
    {
        foreach (string[] mode in new[] { Array.Empty<string>(), ["--per-operation"] })
        {
            string report = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.json");
            try
            {
                using var cli = TestProcess.Start("dotnet", [Repo.CliDll, "trace", .. mode, "--format", "json", "-o", report, "--", "dotnet", Repo.TraceBenchDll, "fold-leaks", "0.05"]);
                int exitCode = await cli.WaitForExitAsync(Bound);
                Assert.True(exitCode == 1, $"exit {exitCode}: {cli.Errors}"); // the leaks are findings

                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(report));
                JsonElement root = doc.RootElement;
                Assert.True(root.GetProperty("complete").GetBoolean(), root.GetProperty("completeness").ToString());
                JsonElement session = root.GetProperty("session");
                Assert.Equal(mode.Length == 0 ? "batched" : "per-operation", session.GetProperty("mode").GetString());
                Assert.Equal("read", session.GetProperty("exitFile").GetString());
                Assert.Equal(50, root.GetProperty("summary").GetProperty("leakedBlocks").GetInt64());
            }
            finally
            {
                File.Delete(report);
            }
        }
    }

    [Fact]
    public async Task A_target_that_outruns_a_small_buffer_is_reported_incomplete_with_its_losses()
    {
        // One event per operation through a 1 MB buffer: EventPipe must drop events, and the report must say so.
        (TraceOutcome outcome, _) = await TraceAsync(TraceOptions.Default with { PerOperation = true, BufferSizeMB = 1 }, "small", "0.1");
        AnalysisResult result = outcome.Analysis;
        Assert.True(result.Completeness.EventsLost > 0, "events were lost");
        Assert.False(result.Completeness.Complete);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("events were lost", StringComparison.Ordinal));
    }
}
