using System.Text.Json;

namespace LeakScope.EndToEnd.Tests;

/// <summary>The built <c>leakscope</c> command, run as a user runs it.</summary>
[Collection(EventPipeCollection.Name)]
public class CliTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static async Task<(int ExitCode, TestProcess Process)> RunAsync(params string[] arguments)
    {
        var process = TestProcess.Start("dotnet", [Repo.CliDll, .. arguments]);
        int exitCode = await process.WaitForExitAsync(Bound);
        return (exitCode, process);
    }

    [Fact]
    public async Task Trace_launch_writes_the_json_report_with_every_planted_bug_and_exits_1()
    {
        string report = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.json");
        string trace = Path.ChangeExtension(report, ".nettrace");
        try
        {
            (int exitCode, TestProcess cli) = await RunAsync("trace", "--format", "json", "-o", report, "--nettrace", trace, "--", "dotnet", Repo.MisuseDemoDll);
            using (cli)
            {
                Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");

                // The child's output passes through the tracer's.
                HeapStatsLine truth = HeapStatsLine.Parse(cli.Lines);
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(report));
                JsonElement root = doc.RootElement;
                Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
                Assert.True(root.GetProperty("complete").GetBoolean(), root.GetProperty("completeness").ToString());
                Assert.Equal(0, root.GetProperty("eventsLost").GetInt64());
                Assert.Equal(0, root.GetProperty("target").GetProperty("exitCode").GetInt32());
                PlantedBugs.AssertExactly(root.GetProperty("findings").EnumerateArray().Select(FindingSignature.From));

                JsonElement summary = root.GetProperty("summary");
                Assert.Equal(truth.Raw.LiveBlocks + truth.Pool.LiveBlocks, summary.GetProperty("liveBlocks").GetInt64());
                Assert.Equal(truth.Raw.LiveBytes + truth.Pool.LiveBytes, summary.GetProperty("liveBytes").GetInt64());
                Assert.Equal(6, summary.GetProperty("findings").GetInt32());
            }

            // The recording analyzes to the same findings.
            (int analyzeExit, TestProcess analyze) = await RunAsync("analyze", trace, "--format", "json");
            using (analyze)
            {
                Assert.Equal(1, analyzeExit);
                using JsonDocument replay = JsonDocument.Parse(analyze.Output);
                PlantedBugs.AssertExactly(replay.RootElement.GetProperty("findings").EnumerateArray().Select(FindingSignature.From));
            }
        }
        finally
        {
            File.Delete(report);
            File.Delete(trace);
            File.Delete(trace + ".exit");
        }
    }

    [Fact]
    public async Task Trace_text_report_puts_the_summary_first()
    {
        (int exitCode, TestProcess cli) = await RunAsync("trace", "--", "dotnet", Repo.MisuseDemoDll);
        using (cli)
        {
            Assert.Equal(1, exitCode);
            string output = cli.Output;
            int summary = output.IndexOf("\nSummary", StringComparison.Ordinal);
            int leak = output.IndexOf("\nleak — 3 sites, 5 blocks, 1,440 B total", StringComparison.Ordinal);
            Assert.True(summary > 0 && leak > summary, output);
            Assert.Contains($"allocated at Program.cs:{Repo.Line("pool-leak")} (PlantedBugs)", output, StringComparison.Ordinal);
            Assert.Contains("account: COMPLETE", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("trace")]
    [InlineData("trace", "--format", "xml", "1")]
    [InlineData("trace", "--duration", "soon", "1")]
    [InlineData("trace", "1", "--", "dotnet")]
    [InlineData("analyze")]
    [InlineData("frobnicate")]
    [InlineData("trace", "--no-such-option", "1")]
    [InlineData("trace", "-n", "x", "-p", "1")]
    [InlineData("trace", "--format", "json", "-o", "a.json", "-o", "b.json", "1")]
    [InlineData("trace", "--format", "json,html", "-o", "-", "-o", "-", "1")]
    [InlineData("trace", "--fail-on", "leeks", "1")]
    [InlineData("trace", "--max-leaked-bytes", "lots", "1")]
    [InlineData("trace", "--buffersize", "0", "1")]
    [InlineData("analyze", "x.nettrace", "--suppressions", "/nonexistent/leakscope.suppress")]
    [InlineData("analyze", "x.nettrace", "-o", "/proc/leakscope-cannot-write/report.txt")]
    public async Task Usage_errors_exit_2_with_one_line(params string[] arguments)
    {
        (int exitCode, TestProcess cli) = await RunAsync(arguments);
        using (cli)
        {
            Assert.True(exitCode == 2, $"exit {exitCode}: {cli.Errors}");
            Assert.DoesNotContain("   at ", cli.Errors, StringComparison.Ordinal);
            Assert.StartsWith("leakscope: ", Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        }
    }

    /// <summary>Each mistake gets one line that names it (the option, the command, the value), exit 2, no stack trace.</summary>
    [Theory]
    [InlineData("unknown command 'analyse' (did you mean 'analyze'?)", "analyse", "x")]
    [InlineData("unknown option '--quite' (did you mean '--quiet'?)", "trace", "--quite", "-n", "app")]
    [InlineData("-o needs a file path or '-', not ''", "trace", "-o", "", "1")]
    [InlineData("-o needs a file path or '-', not ''", "analyze", "x.nettrace", "-o", "")]
    [InlineData("--duration '99999999999' is longer than the longest supported (49 days)", "trace", "--duration", "99999999999", "1")]
    [InlineData("--duration '50:00:00:00' is longer than the longest supported (49 days)", "trace", "--duration", "50:00:00:00", "1")]
    [InlineData("'app' is not a process id (to launch a program, put it after '--'", "trace", "app")]
    [InlineData("cannot write the text report to '/dev/full'", "trace", "-o", "/dev/full", "1")]
    [InlineData("cannot write the --nettrace recording to '/proc/version'", "trace", "--nettrace", "/proc/version", "1")]
    public async Task A_mistake_is_named_in_one_line_and_exits_2(string message, params string[] arguments)
    {
        (int exitCode, TestProcess cli) = await RunAsync(arguments);
        using (cli)
        {
            Assert.True(exitCode == 2, $"exit {exitCode}: {cli.Errors}");
            string line = Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("leakscope: " + message, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_suppressions_file_with_control_bytes_is_reported_without_them()
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string file = dir.File("bad.suppress");
        await File.WriteAllTextAsync(file, "le\u001b]0;pwned\u0007ek Handles.cs\n");
        (int exitCode, TestProcess cli) = await RunAsync("analyze", "x.nettrace", "--suppressions", file);
        using (cli)
        {
            Assert.True(exitCode == 2, $"exit {exitCode}: {cli.Errors}");
            string line = Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain('\u001b', line);
            Assert.DoesNotContain('\u0007', line);
            Assert.Contains("unknown finding kind 'le\\u001B]0;pwned\\u0007ek'", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_process_that_is_not_dotnet_is_named_in_one_line_and_exits_3()
    {
        using var sleeper = TestProcess.Start("sh", "-c", "echo SLEEPING; exec sleep 60");
        await sleeper.WaitForLineAsync("SLEEPING", Bound);
        (int exitCode, TestProcess cli) = await RunAsync("trace", sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (cli)
        {
            Assert.True(exitCode == 3, $"exit {exitCode}: {cli.Errors}");
            string line = Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"leakscope: process {sleeper.Id} (", line, StringComparison.Ordinal);
            Assert.Contains("is not a .NET process", line, StringComparison.Ordinal);
            Assert.True(line.Length < 200, line);
        }
    }

    [Fact]
    public async Task Trace_usage_shows_the_command_after_two_dashes()
    {
        (int exitCode, TestProcess cli) = await RunAsync("trace", "--help");
        using (cli)
        {
            Assert.Equal(0, exitCode);
            Assert.Contains("leakscope trace [<pid>] [options] [-- <command> [<args>...]]", cli.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("trace", "--help")]
    [InlineData("analyze", "-h")]
    [InlineData("ps", "--help")]
    public async Task Help_has_examples_and_exits_0(params string[] arguments)
    {
        (int exitCode, TestProcess cli) = await RunAsync(arguments);
        using (cli)
        {
            Assert.Equal(0, exitCode);
            Assert.Contains("Example", cli.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_missing_process_exits_3_with_one_line_and_no_stack_trace()
    {
        (int exitCode, TestProcess cli) = await RunAsync("trace", "-p", (int.MaxValue - 7).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (cli)
        {
            Assert.Equal(3, exitCode);
            Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("leakscope: no running process", cli.Errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_corrupt_or_missing_trace_file_exits_3()
    {
        string path = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.nettrace");
        await File.WriteAllTextAsync(path, "this is not a nettrace file at all");
        try
        {
            foreach (string file in new[] { path, path + ".missing" })
            {
                (int exitCode, TestProcess cli) = await RunAsync("analyze", file);
                using (cli)
                {
                    Assert.True(exitCode == 3, $"exit {exitCode}: {cli.Errors}");
                    Assert.StartsWith("leakscope: ", cli.Errors, StringComparison.Ordinal);
                    Assert.DoesNotContain("   at ", cli.Errors, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Waits until the tracer's status lines (plain, on redirected stderr) show the target's own account, and then a line
    /// two heartbeats later: a heartbeat written after the work has been read, so nothing of it is left in the target.
    /// </summary>
    private static async Task WaitForTheAccountAndTwoHeartbeatsAsync(TestProcess cli, HeapStatsLine truth)
    {
        string account = $"raw {StatusFamily(truth.Raw)}  pool {StatusFamily(truth.Pool)}  heartbeats ";
        string matched = await cli.WaitForErrorAsync(account, Bound);
        long heartbeats = Heartbeats(matched);
        await cli.WaitForErrorAsync(l => l.Contains(account, StringComparison.Ordinal) && Heartbeats(l) >= heartbeats + 2, $"with the account and ≥ {heartbeats + 2} heartbeats", Bound);

        static string StatusFamily(LeakScope.Tracer.Events.FamilyCounts c) =>
            $"{c.LiveBlocks.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} blocks / {LeakScope.Tracer.Reporting.FindingText.Bytes(c.LiveBytes)}";

        static long Heartbeats(string line) =>
            long.Parse(line[(line.IndexOf("heartbeats ", StringComparison.Ordinal) + "heartbeats ".Length)..].Split(' ')[0], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Sigterm_stops_the_trace_drains_and_still_writes_the_report()
    {
        string report = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.json");
        string sarif = Path.ChangeExtension(report, ".sarif");
        string html = Path.ChangeExtension(report, ".html");
        var cli = TestProcess.Start("dotnet", Repo.CliDll, "trace", "--format", $"json={report},sarif={sarif},html={html}", "--", "dotnet", Repo.MisuseDemoDll, "--sleep-after-ms", "30000");
        try
        {
            using (cli)
            {
                await cli.WaitForLineAsync(HeapStatsLine.Prefix, Bound);
                await WaitForTheAccountAndTwoHeartbeatsAsync(cli, HeapStatsLine.Parse(cli.Lines));
                await cli.TerminateAsync();

                int exitCode = await cli.WaitForExitAsync(Bound);
                Assert.True(exitCode == 1, $"exit {exitCode}: {cli.Errors}");
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(report));
                PlantedBugs.AssertExactly(doc.RootElement.GetProperty("findings").EnumerateArray().Select(FindingSignature.From));
                Assert.Equal("cancelled", doc.RootElement.GetProperty("session").GetProperty("end").GetString());
                Assert.True(doc.RootElement.GetProperty("target").GetProperty("killedByTracer").GetBoolean());
                Assert.Empty(await LeakScope.Tests.Shared.SarifSchema.ValidateAsync(File.ReadAllText(sarif)));
                Assert.Contains("Gate failed", File.ReadAllText(html), StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(report);
            File.Delete(sarif);
            File.Delete(html);
        }
    }
}
