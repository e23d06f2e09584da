using System.Diagnostics;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Sessions;
using TraceOptions = LeakScope.Tracer.Sessions.TraceOptions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// Faults while tracing, through the library API: the target killed with SIGKILL or dying of an unhandled exception
/// mid-trace, the tracer cancelled (the Ctrl+C / SIGTERM token) while the target is busy, a target that is gone before
/// the session starts, and two sessions on one process. Each ends with a report of everything received, or a
/// <see cref="TargetUnavailableException"/>, within a bounded time; and no child process or stale diagnostic socket of
/// the processes the test started is left behind.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class FaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>From the kill (or cancellation) to the report: the stream's end is noticed at once, a drain takes ≤ its timeout.</summary>
    private static readonly TimeSpan ReportBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_target_killed_with_SIGKILL_mid_trace_yields_a_report_marked_incomplete_with_everything_received()
    {
        using var demo = TestProcess.Start("dotnet", Repo.MisuseDemoDll, "--wait-for-tracer", "--sleep-after-ms", "60000");
        await demo.WaitForLineAsync("READY", Bound);
        using var timeout = new CancellationTokenSource(Bound);
        var monitor = new TraceMonitor();
        Task<TraceOutcome> tracing = TraceRunner.AttachAsync(demo.Id, TraceOptions.Default with { Monitor = monitor }, timeout.Token);

        // Every planted bug has happened; the kill comes once the tracer has read all of it.
        await demo.WaitForLineAsync("HEAPSTATS", Bound);
        await Waits.AccountReadAsync(monitor, HeapStatsLine.Parse(demo.Lines), Bound);
        var clock = Stopwatch.StartNew();
        Kill(demo.Id);

        TraceOutcome outcome = await tracing.WaitAsync(ReportBound);
        Assert.True(clock.Elapsed < ReportBound, $"the report took {clock.Elapsed} after the kill");
        AnalysisResult result = outcome.Analysis;
        Assert.Equal(StreamEnd.TargetExited, result.End);
        Assert.False(result.Completeness.Complete);
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("killed or crashed", StringComparison.Ordinal));

        // Everything received is reported: every planted bug, the leaks marked uncertain, the misuse certain.
        PlantedBugs.AssertExactly(result.Findings.Select(FindingSignature.From));
        Assert.All(result.OfKind(FindingKind.Leak), f => Assert.True(f.Uncertain));
        Assert.All(result.Findings.Where(f => f.Kind is FindingKind.MismatchedFree or FindingKind.DoubleFree or FindingKind.InvalidFree), f => Assert.False(f.Uncertain));

        Assert.Equal(137, await demo.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await ProcessHygiene.AssertGoneAsync(demo.Id);
        await ProcessHygiene.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task A_target_dying_of_an_unhandled_exception_yields_a_report_marked_incomplete_with_everything_received()
    {
        using var output = new OutputLines();
        string go = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.go");
        var spec = new LaunchSpec("dotnet", [StressTarget.Dll, "--threads", "2", "--ops", "4000", "--wait-for-file", go, "--throw"])
        {
            StandardOutput = output,
            StandardError = output,
            Environment = new Dictionary<string, string> { ["DOTNET_DbgEnableMiniDump"] = "0" },
        };
        using var timeout = new CancellationTokenSource(Bound);
        string[] socketsBefore = ProcessHygiene.LauncherSockets();

        var monitor = new TraceMonitor();
        Task<TraceOutcome> tracing = TraceRunner.LaunchAsync(spec, TraceOptions.Default with { Monitor = monitor }, timeout.Token);

        // The target throws once the tracer has read everything it did: what the crash loses is its exit file only.
        await output.WaitForLineAsync("WAITING", Bound);
        await Waits.AccountReadAsync(monitor, HeapStatsLine.Parse(StressTarget.Lines(output)), Bound);
        await File.WriteAllTextAsync(go, "throw");
        TraceOutcome outcome;
        try
        {
            outcome = await tracing;
        }
        finally
        {
            File.Delete(go);
        }

        Assert.False(timeout.IsCancellationRequested, "the traced run hit the test's time bound");
        string text = output.ToString();
        Assert.Contains("THROWING", text, StringComparison.Ordinal);
        Assert.Contains("StressTarget: a planted unhandled exception", text, StringComparison.Ordinal);
        Assert.NotEqual(0, outcome.Target.ExitCode);
        AnalysisResult result = outcome.Analysis;
        Assert.Equal(StreamEnd.TargetExited, result.End);
        Assert.False(result.Completeness.Complete, "a target that crashed was judged complete");
        Assert.Contains(result.Completeness.Reasons, r => r.Contains("killed or crashed", StringComparison.Ordinal));

        // The misuse planted before the crash is all there, and certain.
        long misuse = StressTarget.Planted(StressTarget.Lines(output))["misusePerKind"];
        foreach (FindingKind kind in new[] { FindingKind.MismatchedFree, FindingKind.DoubleFree, FindingKind.InvalidFree })
        {
            Finding f = Assert.Single(result.OfKind(kind));
            Assert.Equal(misuse, f.Count);
            Assert.False(f.Uncertain);
        }

        Assert.All(result.OfKind(FindingKind.Leak), f => Assert.True(f.Uncertain));
        await ProcessHygiene.AssertGoneAsync(outcome.Target.Pid);
        await ProcessHygiene.AssertNoOrphansAsync();
        Assert.Equal(socketsBefore, ProcessHygiene.LauncherSockets());
    }

    [Fact]
    public async Task Cancelling_an_attached_trace_mid_stream_detaches_and_reports_everything_received()
    {
        using var target = TestProcess.Start("dotnet", StressTarget.Dll, "--threads", "2", "--ops", "4000", "--wait-for-tracer", "--forever");
        await target.WaitForLineAsync("READY", Bound);
        using var cancel = new CancellationTokenSource(Bound);
        var monitor = new TraceMonitor { TopSites = 32 };
        Task<TraceOutcome> tracing = TraceRunner.AttachAsync(target.Id, TraceOptions.Default with { Monitor = monitor }, cancel.Token);
        await target.WaitForLineAsync("CHURNING", Bound);

        // Twelve ticks (each churns and leaks one block), read by the tracer; then a burst it is still busy with at the detach.
        Tick(target, Ticks);
        await target.WaitForLineAsync($"TICK {Ticks}", Bound);
        await Waits.TraceAsync(monitor, s => TickLeaks(s) >= Ticks, $"{Ticks} tick leaks", Bound);
        Tick(target, 200);

        var clock = Stopwatch.StartNew();
        cancel.Cancel(); // What Ctrl+C and SIGTERM do: one cancellation token.
        TraceOutcome outcome = await tracing.WaitAsync(ReportBound);

        Assert.True(clock.Elapsed < ReportBound, $"the report took {clock.Elapsed} after cancellation");
        AnalysisResult result = outcome.Analysis;
        Assert.Equal(StreamEnd.Cancelled, result.End);
        Assert.NotNull(outcome.Session.StopToEnd);
        Assert.False(outcome.Session.StreamBroken, "the drained stream did not end cleanly");
        // The target flushed at the detach and its confirming heartbeat counts exactly the records published before it,
        // even with a burst in progress (each thread stops at an operation boundary: docs/reliability.md, "Detach").
        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));

        // Everything up to the detach: the planted misuse exactly, and the blocks leaked tick by tick so far.
        long misuse = StressTarget.Planted(target.Lines)["misusePerKind"];
        Assert.Equal(misuse, Assert.Single(result.OfKind(FindingKind.MismatchedFree)).Count);
        Assert.Equal(misuse, Assert.Single(result.OfKind(FindingKind.DoubleFree)).Count);
        Finding ticks = Assert.Single(result.OfKind(FindingKind.Leak), f => f.Site.Line == StressTarget.Line("tick-leak"));
        Assert.True(ticks.Count >= Ticks, $"only {ticks.Count} tick leaks after {Ticks} ticks were read");
        Assert.Equal(ticks.Count * 64, ticks.Bytes);

        // Attached, not launched: the target keeps running after the tracer detached.
        Assert.False(Process.GetProcessById(target.Id).HasExited, "the attached target did not survive the detach");
        int lines = target.Lines.Count();
        Kill(target.Id);
        await target.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await ProcessHygiene.AssertGoneAsync(target.Id);
        await ProcessHygiene.AssertNoOrphansAsync();
        Assert.True(lines > 0);
    }

    [Fact]
    public async Task Cancelling_a_launched_trace_stops_the_child_and_leaves_no_process_or_socket()
    {
        using var output = new OutputLines();
        var spec = new LaunchSpec("dotnet", [StressTarget.Dll, "--threads", "2", "--ops", "4000", "--forever"]) { StandardOutput = output, StandardError = output };
        using var cancel = new CancellationTokenSource(Bound);
        string[] socketsBefore = ProcessHygiene.LauncherSockets();
        var monitor = new TraceMonitor();
        Task<TraceOutcome> tracing = TraceRunner.LaunchAsync(spec, TraceOptions.Default with { Monitor = monitor }, cancel.Token);
        await output.WaitForLineAsync("CHURNING", Bound);
        await Waits.AccountReadAsync(monitor, HeapStatsLine.Parse(StressTarget.Lines(output)), Bound);
        cancel.Cancel();
        TraceOutcome outcome = await tracing.WaitAsync(ReportBound);

        Assert.Equal(StreamEnd.Cancelled, outcome.Analysis.End);
        Assert.True(outcome.Target.KilledByTracer);
        long misuse = StressTarget.Planted(StressTarget.Lines(output))["misusePerKind"];
        Assert.Equal(misuse, Assert.Single(outcome.Analysis.OfKind(FindingKind.InvalidFree)).Count);
        await ProcessHygiene.AssertGoneAsync(outcome.Target.Pid);
        await ProcessHygiene.AssertNoOrphansAsync();
        Assert.Equal(socketsBefore, ProcessHygiene.LauncherSockets());
    }

    [Fact]
    public async Task Cancelling_a_launch_before_the_target_connects_throws_cancellation_and_leaves_no_process_or_socket()
    {
        // Ctrl+C before the child's runtime has connected. The diagnostics client's listener and the connect timeout
        // both see the token and finish in either order; the listener's way (it completes with no connector instead of
        // being cancelled) was a NullReferenceException. A single round reaches it most of the time: several rounds
        // make a regression all but certain. (Once the child has connected, cancellation yields a report instead.)
        string[] socketsBefore = ProcessHygiene.LauncherSockets();
        for (int round = 0; round < 6; round++)
        {
            using var cancel = new CancellationTokenSource();
            cancel.Cancel();
            var clock = Stopwatch.StartNew();
            var spec = new LaunchSpec("dotnet", [StressTarget.Dll, "--forever"]) { StandardOutput = TextWriter.Null, StandardError = TextWriter.Null };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TraceRunner.LaunchAsync(spec, TraceOptions.Default, cancel.Token).WaitAsync(Bound));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"round {round} took {clock.Elapsed}");
        }

        await ProcessHygiene.AssertNoOrphansAsync();
        Assert.Equal(socketsBefore, ProcessHygiene.LauncherSockets());
    }

    [Fact]
    public async Task A_launch_that_fails_after_the_session_started_stops_the_child()
    {
        // The recording cannot be created (a path under a regular file): the session is up and the child resumed
        // when the failure happens, so the child must be stopped, not left running without its tracer.
        string notADirectory = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.file");
        await File.WriteAllTextAsync(notADirectory, "a file, not a directory");
        try
        {
            string[] socketsBefore = ProcessHygiene.LauncherSockets();
            var spec = new LaunchSpec("dotnet", [StressTarget.Dll, "--forever"]) { StandardOutput = TextWriter.Null, StandardError = TextWriter.Null };
            var options = TraceOptions.Default with { NetTracePath = Path.Combine(notADirectory, "trace.nettrace") };

            await Assert.ThrowsAnyAsync<IOException>(() => TraceRunner.LaunchAsync(spec, options).WaitAsync(Bound));

            await ProcessHygiene.AssertNoOrphansAsync();
            Assert.Equal(socketsBefore, ProcessHygiene.LauncherSockets());
        }
        finally
        {
            File.Delete(notADirectory);
        }
    }

    [Fact]
    public async Task Attaching_to_a_target_that_was_killed_just_before_is_a_target_unavailable_error_even_with_its_socket_left()
    {
        using var demo = TestProcess.Start("dotnet", Repo.MisuseDemoDll, "--sleep-after-ms", "60000");
        await demo.WaitForLineAsync("HEAPSTATS", Bound);
        Kill(demo.Id);
        await demo.WaitForExitAsync(TimeSpan.FromSeconds(10));

        // The killed runtime could not remove its diagnostic socket; the attach must not hang on it.
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TargetUnavailableException>(() => TraceRunner.AttachAsync(demo.Id, TraceOptions.Default).WaitAsync(Bound));
        Assert.Contains($"{demo.Id}", e.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        await ProcessHygiene.AssertGoneAsync(demo.Id);
        await ProcessHygiene.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task A_launched_target_that_exits_before_its_runtime_connects_is_a_target_unavailable_error()
    {
        // With diagnostics disabled, the runtime never connects to the tracer's port: the program runs and exits.
        var spec = new LaunchSpec("dotnet", [Repo.MisuseDemoDll])
        {
            StandardOutput = TextWriter.Null,
            StandardError = TextWriter.Null,
            Environment = new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0" },
        };
        string[] socketsBefore = ProcessHygiene.LauncherSockets();

        var e = await Assert.ThrowsAsync<TargetUnavailableException>(() => TraceRunner.LaunchAsync(spec, TraceOptions.Default).WaitAsync(Bound));

        Assert.Contains("exited with code 0 before a .NET runtime connected", e.Message, StringComparison.Ordinal);
        await ProcessHygiene.AssertNoOrphansAsync();
        Assert.Equal(socketsBefore, ProcessHygiene.LauncherSockets());
    }

    [Fact]
    public async Task Attaching_to_a_process_with_diagnostics_disabled_or_not_dotnet_is_a_target_unavailable_error()
    {
        // env execs dotnet in place: the pid is the .NET process's own.
        using var disabled = TestProcess.Start("env", "DOTNET_EnableDiagnostics=0", "dotnet", Repo.MisuseDemoDll, "--sleep-after-ms", "60000");
        using var notDotnet = TestProcess.Start("sleep", "60");
        await disabled.WaitForLineAsync("HEAPSTATS", Bound);

        // A .NET process killed earlier under the same pid would have left its socket behind (its key, the start time of
        // that process, differs from this one's): it must not make `sleep` look like .NET, nor list it in `ps`.
        string staleSocket = Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{notDotnet.Id}-1-socket");
        File.WriteAllBytes(staleSocket, []);
        try
        {
            foreach ((int pid, string says) in new[] { (disabled.Id, "cannot connect"), (notDotnet.Id, "is not a .NET process") })
            {
                var e = await Assert.ThrowsAsync<TargetUnavailableException>(() => TraceRunner.AttachAsync(pid, TraceOptions.Default).WaitAsync(Bound));
                Assert.Contains(says, e.Message, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(ProcessDirectory.List(), p => p.Pid == notDotnet.Id);
        }
        finally
        {
            File.Delete(staleSocket);
        }

        Kill(disabled.Id);
        Kill(notDotnet.Id);
        await ProcessHygiene.AssertGoneAsync(disabled.Id);
        await ProcessHygiene.AssertGoneAsync(notDotnet.Id);
        await ProcessHygiene.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task Two_sessions_attached_to_one_process_both_get_the_correct_report()
    {
        // Both sessions are up before the work: a second session that joins a first one already publishing batches is
        // not promised a complete account (docs/reliability.md).
        using var demo = TestProcess.Start("dotnet", Repo.MisuseDemoDll, "--hold", "6", "--wait-for-tracer", "--wait-for-input");
        await demo.WaitForLineAsync("READY", Bound);
        using var timeout = new CancellationTokenSource(Bound);

        var monitors = new[] { new TraceMonitor(), new TraceMonitor() };
        Task<TraceOutcome>[] sessions = monitors.Select(m => TraceRunner.AttachAsync(demo.Id, TraceOptions.Default with { Monitor = m }, timeout.Token)).ToArray();
        await demo.WaitForLineAsync("WAITING FOR INPUT", Bound);
        foreach (TraceMonitor monitor in monitors)
        {
            await Waits.TraceAsync(monitor, s => s.Engine.Heartbeats >= 1, "the session's first heartbeat", Bound);
        }

        demo.WriteLine("go");
        TraceOutcome[] outcomes = await Task.WhenAll(sessions);

        Assert.Equal(0, await demo.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        HeapStatsLine truth = HeapStatsLine.Parse(demo.Lines);
        foreach (TraceOutcome outcome in outcomes)
        {
            AnalysisResult result = outcome.Analysis;
            PlantedBugs.AssertExactly(result.Findings.Select(FindingSignature.From), heldLeaked: 3);
            Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
            Assert.True(truth.Raw.SameLive(result.Raw), $"raw: target {truth.Raw}, tracer {result.Raw}");
            Assert.True(truth.Pool.SameLive(result.Pool), $"pool: target {truth.Pool}, tracer {result.Pool}");
        }

        await ProcessHygiene.AssertGoneAsync(demo.Id);
        await ProcessHygiene.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task The_hygiene_checks_see_a_running_child_and_the_socket_a_killed_target_leaves()
    {
        using var demo = TestProcess.Start("dotnet", Repo.MisuseDemoDll, "--sleep-after-ms", "60000");
        await demo.WaitForLineAsync("HEAPSTATS", Bound);
        Assert.Contains(ProcessHygiene.Orphans(), o => o.StartsWith($"{demo.Id} ", StringComparison.Ordinal));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{demo.Id}-*-socket"));

        Kill(demo.Id);
        await demo.WaitForExitAsync(TimeSpan.FromSeconds(10));

        // A runtime killed by SIGKILL cannot remove its socket: that is the litter AssertGoneAsync removes.
        Assert.NotEmpty(Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{demo.Id}-*-socket"));
        await ProcessHygiene.AssertGoneAsync(demo.Id);
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{demo.Id}-*"));
        await ProcessHygiene.AssertNoOrphansAsync();
    }

    /// <summary>How many churn ticks the attached target is asked for before the tracer detaches.</summary>
    private const int Ticks = 12;

    /// <summary>Asks a <c>--forever</c> stress target for <paramref name="count"/> churn ticks, one line of its standard input each.</summary>
    private static void Tick(TestProcess target, int count)
    {
        for (int i = 0; i < count; i++)
        {
            target.WriteLine("tick");
        }
    }

    /// <summary>The live blocks the trace has read at the stress target's tick-leak line.</summary>
    private static long TickLeaks(LiveSnapshot snapshot) =>
        snapshot.Engine.TopGrowing.Where(g => g.Site.Line == StressTarget.Line("tick-leak") && g.Site.File == StressTarget.WorkloadSource).Sum(g => g.LiveBlocks);

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Unix): no handler, no exit hook, no flush.</summary>
    private static void Kill(int pid)
    {
        using Process process = Process.GetProcessById(pid);
        process.Kill();
    }
}
