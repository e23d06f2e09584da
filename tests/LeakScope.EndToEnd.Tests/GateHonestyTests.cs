using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// Never green on nothing: a target that never loads the allocator is not a clean one, a launched target that exits
/// non-zero or dies by a signal fails the gate, and launch mode's .NET children run normally with the report naming
/// the process whose events it holds. All through the built <c>leakscope</c> command and the ChildTarget workload.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class GateHonestyTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task A_launched_program_that_never_loads_the_allocator_exits_3_and_so_does_its_recording()
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string recording = dir.File("plain.nettrace");
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "-q", "--nettrace", recording, "--", "dotnet", Repo.ChildTargetDll);
        using (cli)
        {
            Assert.True(exitCode == 3, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            Assert.Contains("CHILDTARGET-DONE", cli.Lines);
            Assert.DoesNotContain("Gate PASSED", cli.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("No findings", cli.Output, StringComparison.Ordinal);
            string line = Assert.Single(Lines(cli.Errors), l => l.Contains("does not use LeakScope.Allocator", StringComparison.Ordinal));
            Assert.Contains("LeakScope.ChildTarget.dll", line, StringComparison.Ordinal);
        }

        (int analyzeExit, TestProcess analyze) = await LeakScopeCli.RunAsync("analyze", recording, "-q");
        using (analyze)
        {
            Assert.True(analyzeExit == 3, $"exit {analyzeExit}\n{analyze.Output}\n{analyze.Errors}");
            Assert.DoesNotContain("Gate PASSED", analyze.Output, StringComparison.Ordinal);
            Assert.Contains("does not use LeakScope.Allocator", Assert.Single(Lines(analyze.Errors)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Attaching_to_a_program_that_never_loads_the_allocator_exits_3_after_the_duration()
    {
        using var plain = TestProcess.Start("dotnet", Repo.ChildTargetDll, "--wait");
        await plain.WaitForLineAsync("CHILDTARGET-WAITING", Bound);

        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "-q", "-p", plain.Id.ToString(CultureInfo.InvariantCulture), "--duration", "1");
        using (cli)
        {
            Assert.True(exitCode == 3, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            Assert.DoesNotContain("Gate PASSED", cli.Output, StringComparison.Ordinal);
            string line = Assert.Single(Lines(cli.Errors));
            Assert.Contains($"pid {plain.Id} ", line, StringComparison.Ordinal);
            Assert.Contains("does not use LeakScope.Allocator", line, StringComparison.Ordinal);
        }

        Assert.False(plain.HasExited, "the tracer must leave an attached target running");
    }

    [Fact]
    public async Task A_target_that_exits_non_zero_fails_the_gate_in_every_format_unless_opted_out()
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string json = dir.File("r.json"), junit = dir.File("r.xml"), sarif = dir.File("r.sarif"), text = dir.File("r.txt");
        string[] target = ["--", "dotnet", Repo.ChildTargetDll, "--leak", "64", "--exit-code", "3"];
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync(
            ["trace", "-q", "--fail-on", "none", "--format", $"json={json},junit={junit},sarif={sarif},text={text}", .. target]);
        using (cli)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            const string Reason = "the target exited with code 3";

            Assert.Contains("Gate FAILED", File.ReadAllText(text), StringComparison.Ordinal);
            Assert.Contains("  - " + Reason, File.ReadAllText(text), StringComparison.Ordinal);

            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            JsonElement gate = doc.RootElement.GetProperty("gate");
            Assert.False(gate.GetProperty("passed").GetBoolean());
            Assert.StartsWith(Reason, gate.GetProperty("targetExit").GetString(), StringComparison.Ordinal);
            Assert.Contains(gate.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith(Reason, StringComparison.Ordinal));

            XElement failure = Assert.Single(XDocument.Load(junit).Descendants("failure"), f => (string?)f.Attribute("type") == "target-exit");
            Assert.StartsWith(Reason, (string?)failure.Attribute("message"), StringComparison.Ordinal);

            string sarifText = File.ReadAllText(sarif);
            Assert.Empty(await LeakScope.Tests.Shared.SarifSchema.ValidateAsync(sarifText));
            using JsonDocument sarifDoc = JsonDocument.Parse(sarifText);
            JsonElement notification = sarifDoc.RootElement.GetProperty("runs")[0].GetProperty("invocations")[0].GetProperty("toolExecutionNotifications")[0];
            Assert.Equal("error", notification.GetProperty("level").GetString());
            Assert.StartsWith(Reason, notification.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        (int optedOut, TestProcess ignoring) = await LeakScopeCli.RunAsync(["trace", "-q", "--fail-on", "none", "--ignore-target-exit-code", .. target]);
        using (ignoring)
        {
            Assert.True(optedOut == 0, $"exit {optedOut}\n{ignoring.Output}\n{ignoring.Errors}");
            Assert.Contains("Gate PASSED (--fail-on none --ignore-target-exit-code)", ignoring.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_target_that_dies_by_a_signal_fails_the_gate()
    {
        // Not quiet: the live view's status line says when the leak has reached the tracer; then the target aborts.
        using var cli = TestProcess.Start("dotnet", [Repo.CliDll, "trace", "--fail-on", "none", "--", "dotnet", Repo.ChildTargetDll, "--leak", "64", "--wait", "--abort"]);
        await cli.WaitForLineAsync("CHILDTARGET-WAITING", Bound);
        await cli.WaitForErrorAsync("raw 1 blocks / 64 B", Bound);
        cli.WriteLine("go");

        int exitCode = await cli.WaitForExitAsync(Bound);
        Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
        Assert.Contains("  - the target exited with code 134 (128 + 6: killed by signal SIGABRT", cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dotnet_child_of_a_launched_target_runs_normally_and_the_parent_is_traced()
    {
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "-q", "--format", "json", "--", "dotnet", Repo.ChildTargetDll, "--leak", "4096", "--child", Repo.ChildTargetDll);
        using (cli)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            int parent = StartedPid(cli.Lines.First());
            Assert.Contains("CHILDTARGET-CHILD-EXIT 0", cli.Lines); // before: the child hung at startup, waiting for a resume

            using JsonDocument doc = JsonDocument.Parse(string.Join('\n', cli.Lines.SkipWhile(l => !l.StartsWith('{'))));
            JsonElement root = doc.RootElement;
            Assert.Equal(parent, root.GetProperty("target").GetProperty("pid").GetInt32());
            JsonElement leak = Assert.Single(root.GetProperty("findings").EnumerateArray());
            Assert.Equal("leak", leak.GetProperty("kind").GetString());
            Assert.Equal(4096, leak.GetProperty("bytes").GetInt64());
            Assert.Equal("Leaks.cs", Path.GetFileName(leak.GetProperty("site").GetProperty("file").GetString()));
            Assert.True(root.GetProperty("complete").GetBoolean());
        }
    }

    [Fact]
    public async Task Under_sh_c_the_report_names_the_dotnet_process_traced_and_a_second_program_still_runs()
    {
        string script = $"dotnet '{Repo.ChildTargetDll}' --leak 100; dotnet '{Repo.ChildTargetDll}' --leak 200; true";
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "-q", "--format", "json", "--", "sh", "-c", script);
        using (cli)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            string[] started = cli.Lines.Where(l => l.StartsWith("CHILDTARGET-START ", StringComparison.Ordinal)).ToArray();
            Assert.Equal(2, started.Length);
            Assert.Equal(2, cli.Lines.Count(l => l == "CHILDTARGET-DONE"));

            using JsonDocument doc = JsonDocument.Parse(string.Join('\n', cli.Lines.SkipWhile(l => !l.StartsWith('{')).TakeWhile(l => !l.StartsWith("CHILDTARGET", StringComparison.Ordinal))));
            JsonElement target = doc.RootElement.GetProperty("target");
            Assert.Equal(StartedPid(started[0]), target.GetProperty("pid").GetInt32());
            Assert.StartsWith("dotnet ", target.GetProperty("command").GetString(), StringComparison.Ordinal);
            Assert.Contains("LeakScope.ChildTarget.dll --leak 100", target.GetProperty("command").GetString(), StringComparison.Ordinal);
            Assert.Equal(100, Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray()).GetProperty("bytes").GetInt64());
        }
    }

    private static int StartedPid(string line) =>
        int.Parse(line["CHILDTARGET-START ".Length..], CultureInfo.InvariantCulture);
}
