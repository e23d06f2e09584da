using System.Text.Json;
using System.Xml.Linq;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// <c>leakscope trace --reachability</c> on samples/Reachability, launched: the target holds its exit until the tracer
/// has its heap snapshot, and every planted block gets the verdict and the holder path docs/reachability.md promises.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class ReachabilityTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Launch_classifies_every_planted_block_with_its_holder_path_in_every_report()
    {
        string dir = Directory.CreateTempSubdirectory("leakscope-reach-").FullName;
        string json = Path.Combine(dir, "r.json"), text = Path.Combine(dir, "r.txt"), sarif = Path.Combine(dir, "r.sarif"), junit = Path.Combine(dir, "r.xml"), html = Path.Combine(dir, "r.html");
        try
        {
            using var cli = TestProcess.Start("dotnet", Repo.CliDll, "trace", "--reachability", "--quiet",
                "--format", $"json={json},text={text},sarif={sarif},junit={junit},html={html}", "--", "dotnet", Repo.ReachabilityDll);
            int exitCode = await cli.WaitForExitAsync(Bound);

            // The leaks fail the default gate; the retained blocks do not count towards it.
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            JsonElement root = doc.RootElement;
            Assert.True(root.GetProperty("complete").GetBoolean(), root.GetProperty("completeness").ToString());
            JsonElement[] findings = root.GetProperty("findings").EnumerateArray().ToArray();

            AssertRetained(findings, "static-pointer", 1, 48, ["static Roots.Pointer"]);
            AssertRetained(findings, "collection", 3, 192, ["static Cache.Items", "List<Holder>._items", "Holder[]", "Holder.Ptr"]);
            AssertRetained(findings, "chain-head", 1, 32, ["static Roots.Chain"]);
            AssertRetained(findings, "chain-middle", 1, 32, ["static Roots.Chain", $"native block (Program.cs:{Repo.ReachLine("chain-head")})[+8]"]);
            AssertRetained(findings, "chain-tail", 1, 32,
                ["static Roots.Chain", $"native block (Program.cs:{Repo.ReachLine("chain-head")})[+8]", $"native block (Program.cs:{Repo.ReachLine("chain-middle")})[+16]"]);
            AssertRetained(findings, "owned-array", 1, 400, ["static Roots.Array", "NativeArray<Int32>._block._pointer"]);

            AssertLeak(findings, "overwritten", 80, "unreferenced");
            AssertLeak(findings, "garbage", 56, "held-by-garbage");
            AssertLeak(findings, "cycle", 40, "indirect");
            AssertLeak(findings, "cycle-other", 40, "indirect");
            AssertLeak(findings, "interior", 96, "interior");
            Assert.Equal(11, findings.Length);

            // Only leaks are leaked bytes; the retained ones are reported beside them.
            Assert.Equal(80 + 56 + 40 + 40 + 96, root.GetProperty("summary").GetProperty("leakedBytes").GetInt64());
            Assert.DoesNotContain("retained", root.GetProperty("gate").GetProperty("failOn").EnumerateArray().Select(k => k.GetString()));
            JsonElement snapshot = root.GetProperty("reachability");
            Assert.Equal(13, snapshot.GetProperty("blocks").GetInt32());
            Assert.True(snapshot.GetProperty("objects").GetInt64() > 0);
            Assert.True(snapshot.GetProperty("dumpBytes").GetInt64() > 0);
            Assert.False(snapshot.TryGetProperty("dump", out _));

            string path = "static Cache.Items → List<Holder>._items → Holder[] → Holder.Ptr";
            Assert.Contains("held by " + path, File.ReadAllText(text), StringComparison.Ordinal);
            Assert.Contains("reachability: held-by-garbage", File.ReadAllText(text), StringComparison.Ordinal);
            using (JsonDocument s = JsonDocument.Parse(File.ReadAllText(sarif)))
            {
                JsonElement[] results = s.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToArray();
                Assert.Contains(results, r => r.GetProperty("ruleId").GetString() == "retained" && r.GetProperty("level").GetString() == "note"
                    && r.GetProperty("message").GetProperty("text").GetString()!.Contains(path, StringComparison.Ordinal));
                Assert.Contains(results, r => r.GetProperty("ruleId").GetString() == "leak"
                    && r.GetProperty("message").GetProperty("text").GetString()!.Contains("held only by unreachable managed objects", StringComparison.Ordinal));
            }

            Assert.Contains(XDocument.Load(junit).Descendants().Select(e => e.Value), v => v.Contains(path, StringComparison.Ordinal));
            string page = File.ReadAllText(html);
            Assert.Contains("<ol class=\"path\"><li><code>static Cache.Items</code></li><li><code>List&lt;Holder&gt;._items</code></li>", page, StringComparison.Ordinal);

            // The dump was deleted: nothing of this tracer's is left in the temp directory.
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"leakscope-{cli.Id}-*.dmp"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Keep_dump_keeps_it_and_an_impossible_dump_exits_3_with_one_line()
    {
        string dir = Directory.CreateTempSubdirectory("leakscope-reach-").FullName;
        try
        {
            string dump = Path.Combine(dir, "kept.dmp");
            string json = Path.Combine(dir, "r.json");
            using (var cli = TestProcess.Start("dotnet", Repo.CliDll, "trace", "--reachability", "--keep-dump", dump, "--quiet", "--format", "json", "-o", json, "--", "dotnet", Repo.ReachabilityDll))
            {
                int exitCode = await cli.WaitForExitAsync(Bound);
                Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
                Assert.True(new FileInfo(dump).Length > 0);
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
                Assert.Equal(dump, doc.RootElement.GetProperty("reachability").GetProperty("dump").GetString());
            }

            // A dump into a directory that does not exist cannot be written: exit 3, one line, and the target was released.
            string impossible = Path.Combine(dir, "missing", "sub", "x.dmp");
            using (var cli = TestProcess.Start("dotnet", Repo.CliDll, "trace", "--reachability", "--keep-dump", impossible, "--quiet", "--format", "json", "-o", json, "--", "dotnet", Repo.ReachabilityDll))
            {
                int exitCode = await cli.WaitForExitAsync(Bound);
                Assert.True(exitCode == 3, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
                string line = Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("leakscope: ", StringComparison.Ordinal));
                Assert.Contains("heap dump", line, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Attach_classifies_the_running_targets_blocks_at_detach()
    {
        string dir = Directory.CreateTempSubdirectory("leakscope-reach-").FullName;
        using var target = TestProcess.Start("dotnet", Repo.ReachabilityDll, "--wait");
        try
        {
            await target.WaitForLineAsync("planted:", Bound);
            string json = Path.Combine(dir, "a.json");
            using var cli = TestProcess.Start("dotnet", Repo.CliDll, "trace", target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--duration", "1", "--reachability", "--quiet", "--format", "json", "-o", json);
            int exitCode = await cli.WaitForExitAsync(Bound);
            Assert.True(exitCode == 1, $"exit {exitCode}\n{cli.Output}\n{cli.Errors}");
            Assert.False(target.HasExited); // a snapshot at detach leaves the target running

            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            JsonElement[] findings = doc.RootElement.GetProperty("findings").EnumerateArray().ToArray();
            AssertRetained(findings, "static-pointer", 1, 48, ["static Roots.Pointer"]);
            AssertRetained(findings, "chain-tail", 1, 32,
                ["static Roots.Chain", $"native block (Program.cs:{Repo.ReachLine("chain-head")})[+8]", $"native block (Program.cs:{Repo.ReachLine("chain-middle")})[+16]"]);
            AssertRetained(findings, "owned-array", 1, 400, ["static Roots.Array", "NativeArray<Int32>._block._pointer"]);

            // The target is still running: a holder a running frame still references would be held by the stack (the shortest path), the others by the static.
            JsonElement collection = At(findings, "collection", "retained", 192);
            Assert.Contains(collection.GetProperty("holders").EnumerateArray(), h =>
                h.GetProperty("path").EnumerateArray().Select(p => p.GetString()).SequenceEqual(["static Cache.Items", "List<Holder>._items", "Holder[]", "Holder.Ptr"]));
            Assert.Equal(3, collection.GetProperty("holders").EnumerateArray().Sum(h => h.GetProperty("count").GetInt64()));

            AssertLeak(findings, "overwritten", 80, "unreferenced");
            AssertLeak(findings, "garbage", 56, "held-by-garbage");
            AssertLeak(findings, "cycle", 40, "indirect");
            AssertLeak(findings, "cycle-other", 40, "indirect");
            AssertLeak(findings, "interior", 96, "interior");
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

    private static JsonElement At(JsonElement[] findings, string marker, string kind, long bytes)
    {
        int line = Repo.ReachLine(marker);
        return Assert.Single(findings, f => f.GetProperty("kind").GetString() == kind && f.GetProperty("site").GetProperty("line").GetInt32() == line && f.GetProperty("bytes").GetInt64() == bytes);
    }

    private static void AssertRetained(JsonElement[] findings, string marker, long count, long bytes, string[] path)
    {
        JsonElement f = At(findings, marker, "retained", bytes);
        Assert.Equal(count, f.GetProperty("count").GetInt64());
        Assert.False(f.TryGetProperty("reachability", out _));
        JsonElement holder = Assert.Single(f.GetProperty("holders").EnumerateArray());
        Assert.Equal(path, holder.GetProperty("path").EnumerateArray().Select(p => p.GetString()!).ToArray());
        Assert.Equal((count, bytes), (holder.GetProperty("count").GetInt64(), holder.GetProperty("bytes").GetInt64()));
    }

    private static void AssertLeak(JsonElement[] findings, string marker, long bytes, string reachability)
    {
        JsonElement f = At(findings, marker, "leak", bytes);
        Assert.Equal(reachability, f.GetProperty("reachability").GetString());
        Assert.False(f.TryGetProperty("holders", out _));
    }
}
