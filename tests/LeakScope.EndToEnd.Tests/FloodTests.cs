using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// A flood of alloc/free pairs on one thread, one EventPipe event per operation, against a deliberately tiny buffer
/// (1 MB) and against an adequate one (the default 256 MB). With loss, the report counts the lost events, says the
/// account is incomplete and marks what to doubt; without, the same workload's account is exact.
/// </summary>
/// <remarks>
/// This needs the per-operation mode (BlockAllocated / BlockFreed events), pinned with
/// <see cref="TraceOptions.PerOperation"/>: the default high-rate mode folds the pairs and would not flood. The
/// decoded-event checks below fail loudly if the flood stops being one event per operation.
/// </remarks>
[Collection(EventPipeCollection.Name)]
public class FloodTests
{
    private const int Pairs = 200_000;

    private static async Task<(TraceOutcome Outcome, string[] Output)> FloodAsync(int bufferSizeMB)
    {
        var output = new StringWriter();
        var spec = new LaunchSpec("dotnet", [StressTarget.Dll, "--flood", Pairs.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            StandardOutput = output,
            StandardError = output,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        TraceOutcome outcome = await TraceRunner.LaunchAsync(spec, TraceOptions.Default with { BufferSizeMB = bufferSizeMB, PerOperation = true }, timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "the traced flood hit the test's time bound");
        Assert.Equal(0, outcome.Target.ExitCode);
        await ProcessHygiene.AssertGoneAsync(outcome.Target.Pid);
        return (outcome, StressTarget.Lines(output).ToArray());
    }

    [Fact]
    public async Task A_flood_that_outruns_a_tiny_buffer_counts_its_lost_events_says_incomplete_and_marks_what_to_doubt()
    {
        (TraceOutcome outcome, _) = await FloodAsync(bufferSizeMB: 1);
        AnalysisResult result = outcome.Analysis;
        Completeness c = result.Completeness;

        Assert.True(c.EventsLost > 0, "a 1 MB buffer kept up with the flood: nothing was lost");
        Assert.False(c.Complete);
        Assert.Contains(c.Reasons, r => r.StartsWith($"{c.EventsLost} events were lost", StringComparison.Ordinal));
        Assert.Contains(c.UncertainFigures, f => f.Contains("leaked", StringComparison.Ordinal));
        Assert.All(result.OfKind(FindingKind.Leak), f => Assert.True(f.Uncertain, $"leak not marked uncertain: {f}"));

        // Every operation was one event: what was decoded and what was lost add up to at least every operation, and
        // to no more than that plus the few other events (sites, heartbeats, rundown).
        long seen = outcome.Session.Decoder.Decoded + outcome.Session.Decoder.Undecodable + c.EventsLost;
        Assert.InRange(seen, (2L * Pairs) + 3, (2L * Pairs) + 3 + 2000);

        // The JSON and text reports say the same.
        using JsonDocument json = JsonDocument.Parse(JsonReportWriter.ToJson(TraceReport.From(outcome)));
        Assert.False(json.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(c.EventsLost, json.RootElement.GetProperty("eventsLost").GetInt64());
        Assert.NotEqual(0, json.RootElement.GetProperty("completeness").GetProperty("uncertainFigures").GetArrayLength());
        Assert.All(
            json.RootElement.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("kind").GetString() == "leak"),
            f => Assert.True(f.GetProperty("uncertain").GetBoolean()));
        Assert.Contains($"account: INCOMPLETE — {c.EventsLost:N0} events lost", TextReportWriter.ToText(TraceReport.From(outcome)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_flood_with_an_adequate_buffer_has_the_exact_account()
    {
        (TraceOutcome outcome, string[] output) = await FloodAsync(bufferSizeMB: 256);
        AnalysisResult result = outcome.Analysis;

        Assert.Equal(0, result.Completeness.EventsLost);
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.True(outcome.Session.Decoder.Decoded >= (2L * Pairs) + 3, $"{outcome.Session.Decoder.Decoded} events decoded: not one per operation");

        HeapStatsLine truth = HeapStatsLine.Parse(output);
        Assert.Equal(truth.Raw, result.Raw);
        Assert.Equal(truth.Pool, result.Pool);
        Assert.Equal(
            new FindingSignature("leak", "pool", 3, 120, StressTarget.WorkloadSource, StressTarget.Line("flood-leak"), null),
            FindingSignature.From(Assert.Single(result.Findings)));
    }
}
