using System.Globalization;
using System.Text.Json;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// The live view's top growing site expands to its top stack while the target still runs (docs/cli.md, docs/stacks.md),
/// launched and attached. LeakyService leaks 64 B a tick at PlantedBugs.cs:29, called from <c>Service.Tick</c>: the
/// redirected live line must name that caller, at its line, before the service is stopped. Attached, every method on
/// that stack was compiled before the session: without the early rundown the line named the allocator's own
/// <c>AllocatorEventSource.StackSample</c> (its module not yet described) until the final report.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class LiveStackTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);
    private static readonly int CallerLine = Repo.MarkedLine(Path.Combine(Path.GetDirectoryName(Repo.LeakyServiceSource)!, "Service.cs"), "// CALL:leak");

    private static bool NamesTheCaller(string line) =>
        line.Contains("top growth PlantedBugs.cs:29 (LeakPerTick)", StringComparison.Ordinal)
        && line.Contains($"from LeakScope.Samples.Service.Tick (Service.cs:{CallerLine.ToString(CultureInfo.InvariantCulture)})", StringComparison.Ordinal);

    [Fact]
    public async Task Attached_the_live_view_names_the_growing_sites_caller_while_the_target_runs()
    {
        using var service = TestProcess.Start("dotnet", Repo.LeakyServiceDll);

        // Ten ticks before the attach: Tick, LeakPerTick and the allocator's stack sampling are all compiled by then.
        await service.WaitForLineAsync("tick 10:", Bound);
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string json = dir.File("report.json");
        using var cli = TestProcess.Start("dotnet", Repo.CliDll, "trace", service.Id.ToString(CultureInfo.InvariantCulture), "--stacks", "sampled", "--format", "json", "-o", json);

        await cli.WaitForErrorAsync(NamesTheCaller, "naming the top growing site's caller", Bound);
        Assert.False(service.HasExited, "the live line came only after the service exited");
        Assert.False(cli.HasExited, "the live line came only after the trace ended");

        await service.TerminateAsync();
        Assert.Equal(0, await service.WaitForExitAsync(Bound));
        int exitCode = await cli.WaitForExitAsync(Bound);
        Assert.True(exitCode == 1, $"leakscope exited {exitCode}\n{cli.Errors}");

        // The report agrees with what the live view showed.
        using JsonDocument doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        JsonElement leak = doc.RootElement.GetProperty("findings").EnumerateArray()
            .Single(f => f.GetProperty("kind").GetString() == "leak" && f.GetProperty("site").GetProperty("line").GetInt32() == 29);
        Assert.Contains(
            leak.GetProperty("stacks").EnumerateArray(),
            s => s.GetProperty("frames")[1].GetProperty("method").GetString() == "LeakScope.Samples.Service.Tick"
                 && s.GetProperty("frames")[1].GetProperty("line").GetInt32() == CallerLine);
    }

    [Fact]
    public async Task Launched_the_live_view_names_the_growing_sites_caller_while_the_target_runs()
    {
        using var cli = TestProcess.Start("dotnet", Repo.CliDll, "trace", "--stacks", "sampled", "--format", "json", "-o", "/dev/null", "--", "dotnet", Repo.LeakyServiceDll);

        // The service's output passes through the tracer's: its first line names its pid.
        string first = await cli.WaitForLineAsync("LeakyService pid ", Bound);
        int pid = int.Parse(first["LeakyService pid ".Length..], CultureInfo.InvariantCulture);
        await cli.WaitForErrorAsync(NamesTheCaller, "naming the top growing site's caller", Bound);
        Assert.True(File.Exists($"/proc/{pid}/status") && !File.ReadAllText($"/proc/{pid}/status").Contains("State:\tZ", StringComparison.Ordinal), "the live line came only after the service exited");

        // SIGTERM to the tracer stops the launched service and writes the report.
        await cli.TerminateAsync();
        int exitCode = await cli.WaitForExitAsync(Bound);
        Assert.True(exitCode is 0 or 1, $"leakscope exited {exitCode}\n{cli.Errors}");
    }
}
