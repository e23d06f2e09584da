using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// Order-dependent verdicts under every order the high-rate mode can produce (<see cref="InterleavingScenario"/>):
/// generated late-attach scenarios, each read in many legal interleavings of its writers' batches, its rundown, its
/// buffers' events and its heartbeat. Every interleaving must give the scenario's truth — the live account, every leak,
/// resize-with-views and view-leak finding with its family and bytes — and COMPLETE. With one block record lost
/// uncounted, COMPLETE must mean the figures are still exactly right. Seeded like the other fuzz loops; a failure names
/// the scenario's seed and the interleaving's.
/// </summary>
public class InterleavingTests
{
    private const int InterleavingsPerScenario = 40;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_legal_interleaving_gives_the_truth_and_complete(bool detach)
    {
        FuzzSeeds.Run(detach ? "interleave-detach" : "interleave-exit", 150, Bound, seed =>
        {
            var scenario = new InterleavingScenario(seed, detach);
            for (int i = 0; i < InterleavingsPerScenario; i++)
            {
                int orderSeed = seed ^ (i * 40503);
                AnalysisResult result = Judge(scenario, new Random(orderSeed), drop: false);
                string why = Mismatch(scenario, result);
                Assert.True(why.Length == 0, $"{FuzzSeeds.Reproduce(seed)}, interleaving {i}: {why}");
                Assert.True(
                    result.Completeness.Complete,
                    $"{FuzzSeeds.Reproduce(seed)}, interleaving {i}: exact but not complete: {string.Join("; ", result.Completeness.Reasons)}");
            }
        });
    }

    /// <summary>
    /// With the final heartbeat (exit file). A detached stream trusts the records after its last heartbeat (docs/analysis.md:
    /// a loss there is seen only through sequence numbers, and a record dropped inside a batch has none).
    /// </summary>
    [Fact]
    public void With_a_record_lost_uncounted_complete_still_means_exact()
    {
        FuzzSeeds.Run("interleave-drop-exit", 150, Bound, seed =>
        {
            var scenario = new InterleavingScenario(seed, detach: false);
            for (int i = 0; i < InterleavingsPerScenario / 4; i++)
            {
                AnalysisResult result = Judge(scenario, new Random(seed ^ (i * 40503)), drop: true);
                string why = Mismatch(scenario, result);
                Assert.True(
                    !result.Completeness.Complete || why.Length == 0,
                    $"{FuzzSeeds.Reproduce(seed)}, interleaving {i} with a record dropped: COMPLETE but {why}");
            }
        });
    }

    [Fact]
    public void The_scenarios_exercise_what_they_are_for()
    {
        // Not a tautology guard: the generator must produce rundowns, buffers with blocked resizes and leaked views.
        var scenarios = FuzzSeeds.For("interleave-exit", 150).Select(seed => new InterleavingScenario(seed, detach: false)).ToArray();
        Assert.Contains(scenarios, s => s.ResizeBlocks > 0);
        Assert.Contains(scenarios, s => s.ViewLeaks > 0);
        Assert.Contains(scenarios, s => s.OutstandingViews > 0);
        Assert.Contains(scenarios, s => s.Leaks.Count > 2);
    }

    private static AnalysisResult Judge(InterleavingScenario scenario, Random random, bool drop)
    {
        var engine = new AnalysisEngine();
        foreach (Action<ITraceRecordSink> feed in scenario.Interleave(random, drop))
        {
            feed(engine);
        }

        return engine.Finish(scenario.Summary);
    }

    /// <summary>What differs from the scenario's truth ("" when nothing does).</summary>
    private static string Mismatch(InterleavingScenario scenario, AnalysisResult result)
    {
        var problems = new List<string>();
        LiveState final = scenario.Final;
        var account = new LiveState(result.Raw.LiveBlocks, result.Raw.LiveBytes, result.Pool.LiveBlocks, result.Pool.LiveBytes);
        if (account != final)
        {
            problems.Add($"live account {account}, truth {final}");
        }

        var leaks = result.OfKind(FindingKind.Leak).ToDictionary(f => (f.Site.Id, f.Family), f => (f.Count, f.Bytes));
        if (leaks.Count != scenario.Leaks.Count || scenario.Leaks.Any(l => !leaks.TryGetValue(l.Key, out var found) || found != l.Value))
        {
            problems.Add($"leaks [{Show(leaks)}], truth [{Show(scenario.Leaks)}]");
        }

        Finding[] resizes = result.OfKind(FindingKind.ResizeWithViews).ToArray();
        (HeapFamily, long, long, int) resize = resizes.Length == 1 ? (resizes[0].Family, resizes[0].Count, resizes[0].Bytes, resizes[0].Site.Id) : default;
        if (scenario.ResizeBlocks > 0 ? resize != (HeapFamily.Pool, scenario.ResizeBlocks, scenario.ResizeBytes, InterleavingScenario.ResizeSite) : resizes.Length != 0)
        {
            problems.Add($"resize-with-views {string.Join(", ", resizes.Select(f => $"{f.Family} {f.Count} × {f.Bytes} B"))}, truth Pool {scenario.ResizeBlocks} × {scenario.ResizeBytes} B");
        }

        CheckViewLeaks(result.OfKind(FindingKind.ViewLeak).Where(f => f.Detail is null), scenario.ViewLeaks, scenario.ViewLeakBytes, "view-leak", problems);
        CheckViewLeaks(result.OfKind(FindingKind.ViewLeak).Where(f => f.Detail == "outstanding-at-end"), scenario.OutstandingViews, scenario.OutstandingViewBytes, "view-leak outstanding-at-end", problems);
        return string.Join("; ", problems);
    }

    private static void CheckViewLeaks(IEnumerable<Finding> found, long count, long bytes, string name, List<string> problems)
    {
        Finding[] findings = found.ToArray();
        bool right = count == 0
            ? findings.Length == 0
            : findings.Length == 1 && (findings[0].Family, findings[0].Count, findings[0].Bytes, findings[0].Site.Id) == (HeapFamily.Pool, count, bytes, InterleavingScenario.AcquireSite);
        if (!right)
        {
            problems.Add($"{name} {string.Join(", ", findings.Select(f => $"{f.Family} {f.Count} × {f.Bytes} B at {f.Site.Id}"))}, truth Pool {count} × {bytes} B");
        }
    }

    private static string Show(Dictionary<(int Site, HeapFamily Family), (long Count, long Bytes)> leaks) =>
        string.Join(", ", leaks.OrderBy(l => l.Key).Select(l => $"{l.Key.Family} site {l.Key.Site}: {l.Value.Count} × {l.Value.Bytes} B"));
}
