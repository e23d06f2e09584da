using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// Call stacks over real EventPipe (docs/stacks.md): SharedHelper's three callers reach one helper, two of them leak. The
/// leak's site is the helper's line for all of them; only the stacks tell the callers apart.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class StackTests
{
    private static readonly int TensorLine = Repo.MarkedLine(Repo.SharedHelperTensor, "// SITE:tensor");
    private static readonly int WeightsLine = Repo.MarkedLine(Repo.SharedHelperProgram, "// CALL:weights");
    private static readonly int PrefetchLine = Repo.MarkedLine(Repo.SharedHelperProgram, "// CALL:prefetch");

    [Fact]
    public async Task Stacks_all_attributes_every_leaked_byte_to_its_caller_with_exact_bytes_and_lines_in_json_and_text()
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string json = Path.Combine(dir.Path, "report.json");
        string text = Path.Combine(dir.Path, "report.txt");
        (int exitCode, TestProcess process) = await LeakScopeCli.RunAsync(
            "trace", "--stacks", "all", "-q", "--format", $"json={json},text={text}", "--", "dotnet", Repo.SharedHelperDll, "2");
        using (process)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{process.Output}\n{process.Errors}");
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement leak = TensorLeak(doc);

        JsonElement[] stacks = leak.GetProperty("stacks").EnumerateArray().ToArray();
        Assert.All(stacks, s => Assert.False(s.GetProperty("estimated").GetBoolean()));
        Assert.Equal(leak.GetProperty("bytes").GetInt64(), stacks.Sum(s => s.GetProperty("bytes").GetInt64()));
        Assert.Equal(stacks.OrderByDescending(s => s.GetProperty("bytes").GetInt64()).Select(s => s.GetRawText()), stacks.Select(s => s.GetRawText()));

        // Innermost first: the helper's method (LeakScope's own frames removed), then the caller that leaked, at its line.
        // Main's second round runs as PrefetchAsync's continuation, so LoadWeights is reached by two stacks: same caller.
        // Scratch frees everything: no stack names it.
        var byCaller = stacks.GroupBy(s => Caller(s, out _)).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(new[] { "LeakScope.Samples.Paths.LoadWeights", "LeakScope.Samples.Paths.PrefetchAsync" }, byCaller.Keys.Order());
        AssertCaller(byCaller["LeakScope.Samples.Paths.LoadWeights"], WeightsLine, count: 20, bytes: 20_000);
        AssertCaller(byCaller["LeakScope.Samples.Paths.PrefetchAsync"], PrefetchLine, count: 6, bytes: 3_000);

        string report = File.ReadAllText(text);
        Assert.Contains($"via LeakScope.Samples.Tensor.Create (Tensor.cs:{TensorLine})", report, StringComparison.Ordinal);
        // The text shows each of the JSON's LoadWeights stacks. Usually two of 10 blocks each (the second round runs as
        // PrefetchAsync's continuation); when PrefetchAsync's yields all complete before Main reaches its await (a
        // loaded machine), Main never suspends and both rounds share one stack of 20.
        string[] weightsLines = report.Split('\n').Where(l => l.Contains($"from LeakScope.Samples.Paths.LoadWeights (Program.cs:{WeightsLine})", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            byCaller["LeakScope.Samples.Paths.LoadWeights"].Select(st => $" in {st.GetProperty("count").GetInt64()} blocks  from").Order(),
            weightsLines.Select(l => l[l.IndexOf(" in ", StringComparison.Ordinal)..(l.IndexOf(" from", StringComparison.Ordinal) + 5)]).Order());
        Assert.Contains($"3,000 B in 6 blocks  from LeakScope.Samples.Paths.PrefetchAsync (Program.cs:{PrefetchLine})", report, StringComparison.Ordinal);
        Assert.DoesNotContain("Scratch", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stacks_none_costs_nothing_and_reports_no_stacks()
    {
        TraceOutcome outcome = await LaunchAsync(TraceOptions.Default with { Stacks = StackCollection.None });
        Finding leak = Assert.Single(outcome.Analysis.OfKind(FindingKind.Leak));
        Assert.Empty(leak.Stacks);
        Assert.True(outcome.Analysis.Completeness.Complete, string.Join("; ", outcome.Analysis.Completeness.Reasons));
    }

    [Fact]
    public async Task Stacks_sampled_attaches_only_paths_that_leaked_and_marks_sampled_figures_estimated()
    {
        // A small interval so that some blocks are byte-sampled too, beside the first at the site.
        TraceOutcome outcome = await LaunchAsync(TraceOptions.Default with { Stacks = StackCollection.Sampled, StackSampleBytes = 2_000 }, "20");
        Finding leak = Assert.Single(outcome.Analysis.OfKind(FindingKind.Leak));
        Assert.NotEmpty(leak.Stacks);
        Assert.All(leak.Stacks, s => Assert.Contains(s.Frames[1].Method, new[] { "LeakScope.Samples.Paths.LoadWeights", "LeakScope.Samples.Paths.PrefetchAsync" }));
        Assert.All(leak.Stacks, s => Assert.Equal("LeakScope.Samples.Tensor.Create", s.Frames[0].Method));
        Assert.Contains(leak.Stacks, s => s.Estimated);
        Assert.True(outcome.Analysis.Completeness.Complete, string.Join("; ", outcome.Analysis.Completeness.Reasons));
    }

    [Fact]
    public async Task Attached_late_methods_compiled_before_the_session_resolve_from_the_rundown()
    {
        using var target = TestProcess.Start("dotnet", Repo.SharedHelperDll, "1", "--wait-for-tracer");
        await target.WaitForLineAsync("READY", TimeSpan.FromSeconds(20));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        TraceOutcome outcome = await TraceRunner.AttachAsync(target.Id, TraceOptions.Default with { Stacks = StackCollection.All }, timeout.Token);
        Assert.Equal(0, await target.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("TRACED", target.Lines);

        // The first round ran before the attach: its blocks come from the allocator's rundown, without stacks. The traced
        // round's leaks have them, named and placed although every method on them was compiled before the session.
        Finding leak = Assert.Single(outcome.Analysis.OfKind(FindingKind.Leak));
        Assert.Equal(2 * ((10 * 1_000) + (3 * 500)), leak.Bytes);
        AssertCallers(leak, weights: (10, 10_000), prefetch: (3, 1_500));
    }

    [Fact]
    public async Task A_recording_replays_to_the_same_stacks()
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string path = Path.Combine(dir.Path, "shared.nettrace");
        TraceOutcome live = await LaunchAsync(TraceOptions.Default with { Stacks = StackCollection.All, NetTracePath = path });
        Assert.True(File.Exists(StackSession.StacksBeside(path)), "the stack session is recorded beside the trace");

        TraceOutcome replay = TraceRunner.AnalyzeFile(path);
        Finding liveLeak = Assert.Single(live.Analysis.OfKind(FindingKind.Leak));
        Finding replayLeak = Assert.Single(replay.Analysis.OfKind(FindingKind.Leak));
        AssertCallers(replayLeak, weights: (10, 10_000), prefetch: (3, 1_500));
        Assert.Equal(liveLeak.Stacks, replayLeak.Stacks, new StackComparer());

        // --stacks none on analyze drops them.
        Assert.Empty(Assert.Single(TraceRunner.AnalyzeFile(path, options: null, monitor: null, stacks: false).Analysis.OfKind(FindingKind.Leak)).Stacks);
    }

    [Fact]
    public async Task A_dotnet_trace_recording_with_the_documented_providers_analyzes_to_exact_stacks()
    {
        // The provider string is read from docs/stacks.md, so the documented command is the one tested. dotnet-trace is a
        // local tool of this repository (dotnet-tools.json). Restored here, so the README's one test command suffices on a
        // fresh clone (a no-op when .ci/run or an earlier run restored it).
        using (var restore = TestProcess.Start("dotnet", "tool", "restore"))
        {
            int restored = await restore.WaitForExitAsync(TimeSpan.FromSeconds(120));
            Assert.True(restored == 0, $"dotnet tool restore exited {restored}\n{restore.Output}\n{restore.Errors}");
        }

        string providers = DocumentedProviders();
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string recording = Path.Combine(dir.Path, "app.nettrace");
        using (var collect = TestProcess.Start(
            "dotnet", "tool", "run", "dotnet-trace", "--", "collect", "-o", recording, "--providers", providers, "--", "dotnet", Repo.SharedHelperDll, "2"))
        {
            int collected = await collect.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(collected == 0 && File.Exists(recording), $"dotnet-trace exited {collected}\n{collect.Output}\n{collect.Errors}");
        }

        string json = Path.Combine(dir.Path, "report.json");
        (int exitCode, TestProcess process) = await LeakScopeCli.RunAsync("analyze", recording, "-q", "--format", $"json={json}");
        using (process)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{process.Output}\n{process.Errors}");
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement leak = TensorLeak(doc);

        // Every BlockAllocated carried the stack dotnet-trace walked: the recording is exact, every leaked byte on its caller.
        JsonElement[] stacks = leak.GetProperty("stacks").EnumerateArray().ToArray();
        Assert.All(stacks, s => Assert.False(s.GetProperty("estimated").GetBoolean()));
        Assert.Equal(leak.GetProperty("bytes").GetInt64(), stacks.Sum(s => s.GetProperty("bytes").GetInt64()));
        var byCaller = stacks.GroupBy(s => Caller(s, out _)).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(new[] { "LeakScope.Samples.Paths.LoadWeights", "LeakScope.Samples.Paths.PrefetchAsync" }, byCaller.Keys.Order());
        AssertCaller(byCaller["LeakScope.Samples.Paths.LoadWeights"], WeightsLine, count: 20, bytes: 20_000);
        AssertCaller(byCaller["LeakScope.Samples.Paths.PrefetchAsync"], PrefetchLine, count: 6, bytes: 3_000);
    }

    /// <summary>SharedHelper's one leak finding, at the helper's line with the bytes of two rounds (LoadWeights and PrefetchAsync).</summary>
    private static JsonElement TensorLeak(JsonDocument doc)
    {
        JsonElement leak = doc.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("kind").GetString() == "leak");
        Assert.Equal(TensorLine, leak.GetProperty("site").GetProperty("line").GetInt32());
        Assert.Equal(2 * ((10 * 1_000) + (3 * 500)), leak.GetProperty("bytes").GetInt64());
        return leak;
    }

    /// <summary>The <c>--providers</c> value of the dotnet-trace command docs/stacks.md gives.</summary>
    private static string DocumentedProviders()
    {
        string doc = File.ReadAllText(Path.Combine(Repo.Root, "docs/stacks.md"));
        System.Text.RegularExpressions.Match match = System.Text.RegularExpressions.Regex.Match(doc, "dotnet-trace collect[^`]*?--providers '([^']+)'");
        Assert.True(match.Success, "docs/stacks.md gives a dotnet-trace collect command with --providers '…'");
        return match.Groups[1].Value;
    }

    private static void AssertCallers(Finding leak, (long Count, long Bytes) weights, (long Count, long Bytes) prefetch)
    {
        Assert.All(leak.Stacks, s => Assert.Equal(new CallFrame("LeakScope.Samples.Tensor.Create", s.Frames[0].File, TensorLine), s.Frames[0]));
        var byCaller = leak.Stacks.GroupBy(s => s.Frames[1].Method).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(new[] { "LeakScope.Samples.Paths.LoadWeights", "LeakScope.Samples.Paths.PrefetchAsync" }, byCaller.Keys.Order());
        Assert.All(byCaller["LeakScope.Samples.Paths.LoadWeights"], s => Assert.Equal(WeightsLine, s.Frames[1].Line));
        Assert.All(byCaller["LeakScope.Samples.Paths.PrefetchAsync"], s => Assert.Equal(PrefetchLine, s.Frames[1].Line));
        Assert.Equal(weights, (byCaller["LeakScope.Samples.Paths.LoadWeights"].Sum(s => s.Count), byCaller["LeakScope.Samples.Paths.LoadWeights"].Sum(s => s.Bytes)));
        Assert.Equal(prefetch, (byCaller["LeakScope.Samples.Paths.PrefetchAsync"].Sum(s => s.Count), byCaller["LeakScope.Samples.Paths.PrefetchAsync"].Sum(s => s.Bytes)));
        Assert.All(leak.Stacks, s => Assert.False(s.Estimated));
    }

    private sealed class StackComparer : IEqualityComparer<FindingStack>
    {
        public bool Equals(FindingStack? x, FindingStack? y) =>
            x is not null && y is not null && x.Frames.SequenceEqual(y.Frames) && x.Count == y.Count && x.Bytes == y.Bytes && x.Estimated == y.Estimated;

        public int GetHashCode(FindingStack obj) => HashCode.Combine(obj.Count, obj.Bytes);
    }

    private static string Caller(JsonElement stack, out JsonElement[] frames)
    {
        frames = stack.GetProperty("frames").EnumerateArray().ToArray();
        return frames[1].GetProperty("method").GetString()!;
    }

    private static void AssertCaller(JsonElement[] stacks, int callerLine, long count, long bytes)
    {
        foreach (JsonElement stack in stacks)
        {
            Caller(stack, out JsonElement[] frames);
            Assert.Equal("LeakScope.Samples.Tensor.Create", frames[0].GetProperty("method").GetString());
            Assert.Equal(TensorLine, frames[0].GetProperty("line").GetInt32());
            Assert.EndsWith("Tensor.cs", frames[0].GetProperty("file").GetString(), StringComparison.Ordinal);
            Assert.Equal(callerLine, frames[1].GetProperty("line").GetInt32());
            Assert.EndsWith("Program.cs", frames[1].GetProperty("file").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(count, stacks.Sum(s => s.GetProperty("count").GetInt64()));
        Assert.Equal(bytes, stacks.Sum(s => s.GetProperty("bytes").GetInt64()));
    }

    private static async Task<TraceOutcome> LaunchAsync(TraceOptions options, params string[] args)
    {
        var output = new StringWriter();
        var spec = new LaunchSpec("dotnet", [Repo.SharedHelperDll, .. args]) { StandardOutput = output, StandardError = output };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        TraceOutcome outcome = await TraceRunner.LaunchAsync(spec, options, timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "the traced run hit the test's time bound");
        return outcome;
    }
}
