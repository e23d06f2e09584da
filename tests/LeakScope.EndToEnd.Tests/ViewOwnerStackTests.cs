using System.Text.Json;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// Stacks of view, owner and growth findings over real EventPipe (docs/stacks.md), on LeakyService's planted bugs: a
/// blocked resize names its call's stack and the outstanding view's acquiring stack, a leaked view its acquire, a
/// finalized owner its creation — in <c>sampled</c> mode too, where they always carry theirs — and the live view names
/// the top growing site's caller.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class ViewOwnerStackTests
{
    private const string Bugs = "LeakScope.Samples.PlantedBugs.";

    [Theory]
    [InlineData("sampled")]
    [InlineData("all")]
    public async Task View_owner_and_resize_findings_carry_the_stacks_of_their_acquires_creations_and_calls(string mode)
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string json = dir.File("service.json");
        string text = dir.File("service.txt");
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync(
            "trace", "--stacks", mode, "--format", $"json={json},text={text}", "--", "dotnet", Repo.LeakyServiceDll, "--duration", "4");
        using (cli)
        {
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            if (mode == "sampled")
            {
                // Redirected stderr: the plain live line names the top growing site's first caller from its top stack.
                Assert.Contains(
                    cli.Errors.Split('\n'),
                    l => l.Contains("top growth PlantedBugs.cs:29 (LeakPerTick)", StringComparison.Ordinal) && l.Contains("from LeakScope.Samples.Service.Tick (", StringComparison.Ordinal));
            }
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement[] findings = doc.RootElement.GetProperty("findings").EnumerateArray().ToArray();

        JsonElement resize = findings.Single(f => Kind(f) == "resize-with-views");
        AssertInnermost(resize.GetProperty("stacks"), Bugs + "ResizeWhileViewed", 57);
        JsonElement view = Assert.Single(resize.GetProperty("views").EnumerateArray().ToArray());
        Assert.Equal(54, view.GetProperty("site").GetProperty("line").GetInt32());
        AssertInnermost(view.GetProperty("stacks"), Bugs + "ResizeWhileViewed", 54);
        Assert.Equal(view.GetProperty("count").GetInt64(), view.GetProperty("stacks").EnumerateArray().Sum(s => s.GetProperty("count").GetInt64()));

        JsonElement viewLeak = findings.First(f => Kind(f) == "view-leak" && f.GetProperty("site").GetProperty("line").GetInt32() == 69);
        AssertInnermost(viewLeak.GetProperty("stacks"), Bugs + "LeakView", 69);

        JsonElement owner = findings.Single(f => Kind(f) == "owner-finalized");
        AssertInnermost(owner.GetProperty("stacks"), Bugs + "AbandonOwner", 77);
        Assert.Equal(owner.GetProperty("count").GetInt64(), owner.GetProperty("stacks").EnumerateArray().Sum(s => s.GetProperty("count").GetInt64()));

        string report = File.ReadAllText(text);
        Assert.Contains("acquiring stack:", report, StringComparison.Ordinal);
        Assert.Contains("creation stack:", report, StringComparison.Ordinal);
        Assert.Contains($"from {Bugs}AbandonOwner (PlantedBugs.cs:77)", report, StringComparison.Ordinal);

        if (mode == "all")
        {
            // (4 s of 64 B ticks: the growth rule's 1 KiB over 3 rising heartbeat windows holds with room under load.)
            // Growth shows the blocks the site grew by: allocated after the first heartbeat, still live. The blocks
            // live at it (the site's first allocation when it came before) are the leak's, not the growth's.
            JsonElement leak = findings.Single(f => Kind(f) == "leak" && f.GetProperty("site").GetProperty("line").GetInt32() == 29);
            JsonElement growth = findings.Single(f => Kind(f) == "growth" && f.GetProperty("site").GetProperty("line").GetInt32() == 29);
            long leakStacks = leak.GetProperty("stacks").EnumerateArray().Sum(s => s.GetProperty("bytes").GetInt64());
            long growthStacks = growth.GetProperty("stacks").EnumerateArray().Sum(s => s.GetProperty("bytes").GetInt64());
            Assert.Equal(leak.GetProperty("bytes").GetInt64(), leakStacks);
            // Every block here stays live, so the blocks live at the first heartbeat are the site's first sample's bytes.
            long firstBytes = growth.GetProperty("growth").GetProperty("firstBytes").GetInt64();
            Assert.Equal(leakStacks - firstBytes, growthStacks);
            AssertInnermost(growth.GetProperty("stacks"), Bugs + "LeakPerTick", 29);
        }
    }

    private static string? Kind(JsonElement finding) => finding.GetProperty("kind").GetString();

    /// <summary>Every stack starts at <paramref name="method"/> on <paramref name="line"/>, and there is at least one.</summary>
    private static void AssertInnermost(JsonElement stacks, string method, int line)
    {
        JsonElement[] all = stacks.EnumerateArray().ToArray();
        Assert.NotEmpty(all);
        Assert.All(all, s =>
        {
            JsonElement frame = s.GetProperty("frames")[0];
            Assert.Equal((method, line), (frame.GetProperty("method").GetString(), frame.GetProperty("line").GetInt32()));
            Assert.False(s.GetProperty("estimated").GetBoolean());
        });
    }
}
