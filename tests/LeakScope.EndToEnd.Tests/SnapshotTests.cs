using System.Globalization;
using System.Text.Json;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// <c>leakscope snapshot &lt;pid&gt;</c> on samples/Reachability running with <c>--wait</c>: every planted block of the
/// running process gets its verdict, holder path, bytes and site without a trace session, the roots only a running
/// process has (a blocked thread's stack, a thread static, a static of a generic instantiation) included, and the
/// process keeps running. A pid that is not a .NET process, or one without the allocator, is refused with exit 3 and
/// one line, never a hang.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class SnapshotTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Snapshot_classifies_a_running_processes_planted_blocks_and_leaves_it_running()
    {
        string dir = Directory.CreateTempSubdirectory("leakscope-snap-").FullName;
        using var target = TestProcess.Start("dotnet", Repo.ReachabilityDll, "--wait");
        try
        {
            await target.WaitForLineAsync("planted:", Bound);
            string json = Path.Combine(dir, "s.json"), text = Path.Combine(dir, "s.txt"), dump = Path.Combine(dir, "kept.dmp");
            using var cli = TestProcess.Start("dotnet", Repo.CliDll, "snapshot", target.Id.ToString(CultureInfo.InvariantCulture),
                "--quiet", "--format", $"json={json},text={text}", "--keep-dump", dump);
            int exitCode = await cli.WaitForExitAsync(Bound);

            // The leaks fail the default gate; the retained blocks do not.
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            Assert.False(target.HasExited);
            Assert.True(new FileInfo(dump).Length > 0);

            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            JsonElement root = doc.RootElement;
            JsonElement[] findings = root.GetProperty("findings").EnumerateArray().ToArray();
            string Describe() => string.Join("\n", findings.Select(f => f.ToString()));

            ReachabilityAssert.Retained(findings, "static-pointer", 1, 48, ["static Roots.Pointer"]);
            ReachabilityAssert.Retained(findings, "collection", 3, 192, ["static Cache.Items", "List<Holder>._items", "Holder[]", "Holder.Ptr"]);
            ReachabilityAssert.Retained(findings, "chain-head", 1, 32, ["static Roots.Chain"]);
            ReachabilityAssert.Retained(findings, "chain-tail", 1, 32,
                ["static Roots.Chain", $"native block (Program.cs:{Repo.ReachLine("chain-head")})[+8]", $"native block (Program.cs:{Repo.ReachLine("chain-middle")})[+16]"]);
            ReachabilityAssert.Retained(findings, "owned-array", 1, 400, ["static Roots.Array", "NativeArray<Int32>._block._pointer"]);

            // Roots only a running process has.
            string stack = ReachabilityAssert.SinglePath(findings, "stack-local", 72);
            Assert.Matches("^stack of thread [0-9]+ \"Reach stack holder\"$", stack);
            string threadStatic = ReachabilityAssert.SinglePath(findings, "thread-static", 88);
            Assert.Matches("^thread static ThreadRoots.Block \\(thread [0-9]+ \"Reach thread-static holder\"\\)$", threadStatic);
            ReachabilityAssert.Retained(findings, "generic-static", 1, 104, ["static GenericRoots<Holder>.Block"]);

            ReachabilityAssert.Leak(findings, "overwritten", 80, "unreferenced");
            ReachabilityAssert.Leak(findings, "garbage", 56, "held-by-garbage");
            ReachabilityAssert.Leak(findings, "cycle", 40, "indirect");
            ReachabilityAssert.Leak(findings, "cycle-other", 40, "indirect");
            ReachabilityAssert.Leak(findings, "interior", 96, "interior");
            Assert.True(findings.Length == 14, Describe());
            Assert.Equal(80 + 56 + 40 + 40 + 96, root.GetProperty("summary").GetProperty("leakedBytes").GetInt64());
            Assert.Equal(16, root.GetProperty("reachability").GetProperty("blocks").GetInt32());
            Assert.Equal(dump, root.GetProperty("reachability").GetProperty("dump").GetString());
            Assert.Contains("held by static Cache.Items → List<Holder>._items → Holder[] → Holder.Ptr", File.ReadAllText(text), StringComparison.Ordinal);
        }
        finally
        {
            if (!target.HasExited)
            {
                target.WriteLine(string.Empty);
                await target.WaitForExitAsync(Bound);
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Snapshot_of_a_process_that_is_not_dotnet_or_has_no_allocator_exits_3_with_one_line()
    {
        using var notDotnet = TestProcess.Start("sleep", "120");
        using var plain = TestProcess.Start("dotnet", Repo.ChildTargetDll, "--wait");
        await plain.WaitForLineAsync("CHILDTARGET-WAITING", Bound);

        foreach ((int pid, string says) in new[] { (notDotnet.Id, "is not a .NET process"), (plain.Id, "does not use LeakScope.Allocator") })
        {
            using var cli = TestProcess.Start("dotnet", Repo.CliDll, "snapshot", pid.ToString(CultureInfo.InvariantCulture), "--quiet");
            int exitCode = await cli.WaitForExitAsync(Bound);
            Assert.True(exitCode == 3, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            string line = Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("leakscope: ", line, StringComparison.Ordinal);
            Assert.Contains(says, line, StringComparison.Ordinal);
        }

        Assert.False(plain.HasExited);
        plain.WriteLine(string.Empty);
        await plain.WaitForExitAsync(Bound);
    }

    [Fact]
    public async Task Snapshot_whose_dump_cannot_be_written_exits_3_with_one_line_and_releases_the_target()
    {
        string dir = Directory.CreateTempSubdirectory("leakscope-snap-").FullName;
        using var target = TestProcess.Start("dotnet", Repo.ReachabilityDll, "--wait");
        try
        {
            await target.WaitForLineAsync("planted:", Bound);
            string impossible = Path.Combine(dir, "missing", "sub", "x.dmp");
            using var cli = TestProcess.Start("dotnet", Repo.CliDll, "snapshot", target.Id.ToString(CultureInfo.InvariantCulture), "--quiet", "--keep-dump", impossible);
            int exitCode = await cli.WaitForExitAsync(Bound);
            Assert.True(exitCode == 3, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            string line = Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("leakscope: ", line, StringComparison.Ordinal);
            Assert.Contains("heap dump", line, StringComparison.Ordinal);

            // Released: it still answers its input and exits normally.
            Assert.False(target.HasExited);
            target.WriteLine(string.Empty);
            Assert.Equal(0, await target.WaitForExitAsync(Bound));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>The checks of one planted block's finding in a JSON report (kind, bytes, site line, reachability, holder path).</summary>
internal static class ReachabilityAssert
{
    public static JsonElement At(JsonElement[] findings, string marker, string kind, long bytes)
    {
        int line = Repo.ReachLine(marker);
        return Assert.Single(findings, f => f.GetProperty("kind").GetString() == kind && f.GetProperty("site").GetProperty("line").GetInt32() == line && f.GetProperty("bytes").GetInt64() == bytes);
    }

    public static void Retained(JsonElement[] findings, string marker, long count, long bytes, string[] path)
    {
        JsonElement f = At(findings, marker, "retained", bytes);
        Assert.Equal(count, f.GetProperty("count").GetInt64());
        Assert.False(f.TryGetProperty("reachability", out _));
        JsonElement holder = Assert.Single(f.GetProperty("holders").EnumerateArray());
        Assert.Equal(path, holder.GetProperty("path").EnumerateArray().Select(p => p.GetString()!).ToArray());
        Assert.Equal((count, bytes), (holder.GetProperty("count").GetInt64(), holder.GetProperty("bytes").GetInt64()));
    }

    /// <summary>A retained single block held through a one-step path: that step.</summary>
    public static string SinglePath(JsonElement[] findings, string marker, long bytes)
    {
        JsonElement f = At(findings, marker, "retained", bytes);
        JsonElement holder = Assert.Single(f.GetProperty("holders").EnumerateArray());
        return Assert.Single(holder.GetProperty("path").EnumerateArray()).GetString()!;
    }

    public static void Leak(JsonElement[] findings, string marker, long bytes, string reachability)
    {
        JsonElement f = At(findings, marker, "leak", bytes);
        Assert.Equal(reachability, f.GetProperty("reachability").GetString());
        Assert.False(f.TryGetProperty("holders", out _));
    }
}
