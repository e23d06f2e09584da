using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// The decoder and the analysis engine fed seeded random and mutated streams (see <see cref="FuzzSeeds"/> to
/// reproduce or widen a run). Valid streams must be judged exactly; damaged ones must never crash, hang, go negative,
/// name a finding without kind or site, or be called complete when they are not provably exact.
/// </summary>
public class EngineFuzzTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public void Valid_streams_are_judged_exactly_complete_account_and_every_planted_finding()
    {
        FuzzSeeds.Run("valid", 1000, Bound, seed =>
        {
            GeneratedStream generated = DemoStreamGenerator.Generate(new Random(seed), operations: 150 + (seed & 0xFF));
            JudgedStream judged = JudgedStream.Judge(new MutatedStream(generated.Events.ToList()));
            AssertExact(seed, generated, judged);
        });
    }

    [Fact]
    public void Reordering_block_records_across_threads_changes_neither_account_nor_findings()
    {
        FuzzSeeds.Run("reorder", 1000, Bound, seed =>
        {
            var rng = new Random(seed);
            GeneratedStream generated = DemoStreamGenerator.Generate(rng, operations: 150 + (seed & 0xFF));
            JudgedStream judged = JudgedStream.Judge(StreamMutator.Mutate(generated.Events, rng, rng.Next(1, 30), reorderOnly: true));
            AssertExact(seed, generated, judged);
        });
    }

    [Fact]
    public void Mutated_streams_never_crash_and_keep_every_invariant()
    {
        int refused = 0, complete = 0;
        FuzzSeeds.Run("mutated", 20_000, Bound, seed =>
        {
            var rng = new Random(seed);
            GeneratedStream generated = DemoStreamGenerator.Generate(rng, operations: 40 + rng.Next(160));
            MutatedStream mutated = StreamMutator.Mutate(generated.Events, rng, rng.Next(1, 6));
            JudgedStream judged = JudgeOrFail(seed, mutated);
            AssertInvariants(seed, judged);
            AssertDeterministic(seed, judged, mutated);
            refused += judged.Refused is null ? 0 : 1;
            complete += judged.Result?.Completeness.Complete == true ? 1 : 0;
        });

        // The loop must have exercised both refusals and complete verdicts, or the mutations are too weak or too strong.
        Assert.True(refused > 0, "no stream was refused for a newer schema version");
        Assert.True(complete > 0, "no mutated stream was judged complete");
    }

    [Fact]
    public void Random_streams_never_crash_and_keep_every_invariant()
    {
        FuzzSeeds.Run("random", 3000, Bound, seed =>
        {
            var rng = new Random(seed);
            MutatedStream random = RandomStreams.Create(rng);
            JudgedStream judged = JudgeOrFail(seed, random);
            AssertInvariants(seed, judged);
            AssertDeterministic(seed, judged, random);
        });
    }

    [Fact]
    public void Lost_events_make_any_stream_incomplete_even_when_every_heartbeat_agrees()
    {
        var rng = new Random(FuzzSeeds.DefaultMaster + 1);
        GeneratedStream generated = DemoStreamGenerator.Generate(rng, operations: 200);

        JudgedStream lossy = JudgedStream.Judge(new MutatedStream(generated.Events.ToList()) { EventsLost = 1 });

        Assert.False(lossy.Result!.Completeness.Complete);
        Assert.Equal(1, lossy.Result.Completeness.EventsLost);
        Assert.NotEmpty(lossy.Result.Completeness.UncertainFigures);
        Assert.All(lossy.Result.OfKind(FindingKind.Leak), f => Assert.True(f.Uncertain));
    }

    private static JudgedStream JudgeOrFail(int seed, MutatedStream stream)
    {
        try
        {
            return JudgedStream.Judge(stream);
        }
        catch (Exception e)
        {
            Assert.Fail($"{FuzzSeeds.Reproduce(seed)}: {e.GetType().Name} from the decoder or engine — {stream}\n{e}");
            throw;
        }
    }

    private static void AssertInvariants(int seed, JudgedStream judged)
    {
        string[] violations = EngineInvariants.Violations(judged).ToArray();
        if (violations.Length > 0)
        {
            Assert.Fail($"{FuzzSeeds.Reproduce(seed)}: {judged.Stream}\n  - {string.Join("\n  - ", violations)}");
        }
    }

    private static void AssertDeterministic(int seed, JudgedStream first, MutatedStream stream)
    {
        if (first.Result is null)
        {
            return;
        }

        JudgedStream second = JudgedStream.Judge(stream);
        string a = first.Json;
        string b = second.Json;
        if (a != b)
        {
            Assert.Fail($"{FuzzSeeds.Reproduce(seed)}: the same stream judged twice gave different reports — {stream}\n--- first ---\n{a}\n--- second ---\n{b}");
        }
    }

    /// <summary>The oracle: a valid stream (threads interleaved in any order) is complete, its account is the model's, and its findings are the planted ones.</summary>
    private static void AssertExact(int seed, GeneratedStream generated, JudgedStream judged)
    {
        AssertInvariants(seed, judged);
        AnalysisResult r = judged.Result!;
        string context = $"{FuzzSeeds.Reproduce(seed)} ({(generated.Attached ? "attached" : "launched")}; {judged.Stream})";
        Assert.True(r.Completeness.Complete, $"{context}: incomplete: {string.Join("; ", r.Completeness.Reasons)}");
        Assert.True(generated.Raw == r.Raw, $"{context}: raw account {r.Raw}, expected {generated.Raw}");
        Assert.True(generated.Pool == r.Pool, $"{context}: pool account {r.Pool}, expected {generated.Pool}");

        string[] actual = r.Findings.Where(f => f.Kind != FindingKind.Growth).Select(Signature).Order(StringComparer.Ordinal).ToArray();
        if (!generated.ExpectedFindings.SequenceEqual(actual))
        {
            Assert.Fail($"{context}: findings differ\n  expected:\n    {string.Join("\n    ", generated.ExpectedFindings)}\n  actual:\n    {string.Join("\n    ", actual)}");
        }

        Assert.All(r.Findings, f => Assert.True(f.Site.IsDefined, $"{context}: a finding without its site's definition: {f}"));
        Assert.DoesNotContain(r.Findings, f => f.Uncertain);

        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(judged.Report()));
        Assert.True(doc.RootElement.GetProperty("complete").GetBoolean(), context);
    }

    private static string Signature(Finding f) =>
        $"{ReportNames.Kind(f.Kind)}|{f.Family}|{f.Site.Id}|{f.FreeSite?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}|{(f.CallerFamily is { } c ? $"caller {c}" : string.Empty)}|{f.Detail}|{f.Count}|{f.Bytes}";
}
