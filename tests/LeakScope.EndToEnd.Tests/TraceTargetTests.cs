using System.Globalization;
using System.Text.Json;

namespace LeakScope.EndToEnd.Tests;

/// <summary>Each way to name a target, on real samples: a clean launch, a name, a pid from <c>ps</c>, a diagnostic port.</summary>
[Collection(EventPipeCollection.Name)]
public class TraceTargetTests
{
    [Fact]
    public async Task A_clean_sample_passes_the_gate_with_exit_0()
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "--format", "json", "-o", dir.File("clean.json"), "--", "dotnet", Repo.RandomNoiseDll);
        using (cli)
        {
            Assert.True(exitCode == 0, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(dir.File("clean.json")));
            Assert.Empty(doc.RootElement.GetProperty("findings").EnumerateArray());
            Assert.True(doc.RootElement.GetProperty("complete").GetBoolean(), doc.RootElement.GetProperty("completeness").ToString());
            Assert.True(doc.RootElement.GetProperty("gate").GetProperty("passed").GetBoolean());
            Assert.Contains("leakscope: gate passed", cli.Errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task By_name_with_a_duration_the_live_lines_show_progress_and_the_leak_grows()
    {
        // A symlink of a unique name to LeakyService's apphost: --name must find exactly this process.
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string name = "lsE2e" + Guid.NewGuid().ToString("N")[..8];
        File.CreateSymbolicLink(dir.File(name), Repo.LeakyServiceHost);
        using var service = TestProcess.Start(dir.File(name), "--duration", "40");
        await service.WaitForLineAsync("LeakyService pid", TimeSpan.FromSeconds(20));

        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "-n", name, "--duration", "2.5", "--format", "json", "-o", dir.File("service.json"));
        using (cli)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");

            // Redirected stderr: plain periodic lines with events, families and the top growing site.
            string[] live = cli.Errors.Split('\n').Where(l => l.Contains(" events ", StringComparison.Ordinal)).ToArray();
            Assert.True(live.Length >= 1, cli.Errors);
            Assert.Contains(live, l => l.Contains("lost 0", StringComparison.Ordinal) && l.Contains("top growth PlantedBugs.cs:29 (LeakPerTick)", StringComparison.Ordinal));

            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(dir.File("service.json")));
            JsonElement root = doc.RootElement;
            Assert.Equal(service.Id, root.GetProperty("target").GetProperty("pid").GetInt32());
            Assert.Equal("duration", root.GetProperty("session").GetProperty("end").GetString());
            JsonElement[] findings = root.GetProperty("findings").EnumerateArray().ToArray();
            Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "leak" && f.GetProperty("site").GetProperty("line").GetInt32() == 29);
            Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "growth" && f.GetProperty("site").GetProperty("line").GetInt32() == 29);
            Assert.True(root.GetProperty("liveSeries").GetArrayLength() >= 10);
        }

        Assert.False(service.HasExited, "attaching by name must not stop the target");
    }

    [Fact]
    public async Task Ps_lists_a_waiting_process_and_trace_attaches_to_its_pid()
    {
        using var demo = TestProcess.Start("dotnet", Repo.MisuseDemoDll, "--wait-for-tracer");
        await demo.WaitForLineAsync("READY", TimeSpan.FromSeconds(20));
        string pid = demo.Id.ToString(CultureInfo.InvariantCulture);

        (int psExit, TestProcess ps) = await LeakScopeCli.RunAsync("ps");
        using (ps)
        {
            Assert.Equal(0, psExit);
            string row = Assert.Single(ps.Lines, l => l.TrimStart().StartsWith(pid + " ", StringComparison.Ordinal));
            Assert.Contains("MisuseDemo", row, StringComparison.Ordinal);
            Assert.Contains("loaded", row, StringComparison.Ordinal);
        }

        using TempDirectory dir = LeakScopeCli.TempDirectory();
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", pid, "--format", "json", "-o", dir.File("attach.json"));
        using (cli)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Errors}");
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(dir.File("attach.json")));
            PlantedBugs.AssertExactly(doc.RootElement.GetProperty("findings").EnumerateArray().Select(FindingSignature.From));
        }

        Assert.Equal(0, await demo.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Through_a_diagnostic_port_it_waits_for_the_process_and_traces_it_from_the_start()
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string port = dir.File("app.sock");
        Task<(int, TestProcess)> tracing = LeakScopeCli.RunAsync("trace", "--diagnostic-port", port, "--format", "json", "-o", dir.File("port.json"));

        await Waits.FileAsync(port, TimeSpan.FromSeconds(20)); // the tracer listens on its diagnostic port
        using var demo = TestProcess.Start("dotnet", new Dictionary<string, string> { ["DOTNET_DiagnosticPorts"] = port }, Repo.MisuseDemoDll);
        (int exitCode, TestProcess cli) = await tracing;
        using (cli)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Errors}");
            Assert.Contains($"DOTNET_DiagnosticPorts={port}", cli.Errors, StringComparison.Ordinal);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(dir.File("port.json")));
            JsonElement root = doc.RootElement;
            PlantedBugs.AssertExactly(root.GetProperty("findings").EnumerateArray().Select(FindingSignature.From));
            Assert.True(root.GetProperty("complete").GetBoolean(), root.GetProperty("completeness").ToString());
            Assert.Equal(demo.Id, root.GetProperty("target").GetProperty("pid").GetInt32());
            Assert.Equal(0, root.GetProperty("session").GetProperty("rundownBlocks").GetInt64()); // from the first allocation
        }

        Assert.Equal(0, await demo.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(port), "the listening socket was left behind");
    }

    [Fact]
    public async Task A_name_that_matches_no_process_exits_3()
    {
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "-n", "no-such-leakscope-process-" + Guid.NewGuid().ToString("N")[..6]);
        using (cli)
        {
            Assert.Equal(3, exitCode);
            Assert.StartsWith("leakscope: no traceable .NET process named", Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        }
    }
}
