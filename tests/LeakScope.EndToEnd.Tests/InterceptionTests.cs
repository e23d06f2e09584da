using System.Text.Json;
using System.Text.RegularExpressions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// No code change: samples/InterceptedInterop (plain NativeMemory / Marshal, no LeakScope call) built from the packed
/// LeakScope.Allocator package. With LeakScopeIntercept=true, <c>leakscope trace</c> reports every planted bug at its line
/// with its family and exact bytes and nothing else, and the process survives its double free; the build shows LS0001 on
/// both planted cross-family frees. With it off nothing is generated and the program is not traceable.
/// </summary>
[Collection(EventPipeCollection.Name)]
public partial class InterceptionTests(PackedAllocator package) : IClassFixture<PackedAllocator>
{
    private async Task<string> BuildAsync(string name, bool intercept)
    {
        string app = package.CopyConsumer(name);
        (int exitCode, string output) = await DotnetCommand.RunAsync(
            app, "build", "-c", "Release", "--disable-build-servers",
            $"-p:LeakScopeIntercept={(intercept ? "true" : "false")}",
            $"-p:RestorePackagesPath={package.PackagesFolder}",
            "-p:EmitCompilerGeneratedFiles=true");
        Assert.True(exitCode == 0, "building the consumer failed:\n" + output);

        // The analyzers run either way: LS0001 on both planted cross-family frees, at their lines.
        string program = Path.Combine(app, "Program.cs");
        int[] warned = Ls0001().Matches(output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order().ToArray();
        Assert.Equal(new[] { Marker(program, "hglobal-freed-by-cotaskmem"), Marker(program, "aligned-freed-by-free") }.Order(), warned);
        return app;
    }

    private static string Dll(string app) => Path.Combine(app, "bin", "Release", "net10.0", "InterceptedInterop.dll");

    private static bool Generated(string app) =>
        Directory.EnumerateFiles(Path.Combine(app, "obj"), "LeakScopeInterceptors.g.cs", SearchOption.AllDirectories).Any();

    [Fact]
    public async Task With_interception_on_every_planted_bug_is_reported_at_its_line_and_nothing_else()
    {
        string app = await BuildAsync("on", intercept: true);
        Assert.True(Generated(app), "no interceptors were generated");
        string report = Path.Combine(app, "report.json");

        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "--format", "json", "-o", report, "--", "dotnet", Dll(app));
        using (cli)
        {
            Assert.True(exitCode == 1, $"exit {exitCode} (expected the gate to fail on the planted bugs):\n{cli.Output}\n{cli.Errors}");
            Assert.Contains("ALIVE at the end", cli.Output);
            Assert.Contains("the target exited with code 0", cli.Errors);
        }

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.True(json.RootElement.GetProperty("complete").GetBoolean());
        string program = Path.Combine(app, "Program.cs");
        int Line(string marker) => Marker(program, marker);
        var expected = new[]
        {
            new FindingSignature("leak", "native", 1, 100, program, Line("native-leak"), null),
            new FindingSignature("leak", "hglobal", 3, 192, program, Line("hglobal-leak"), null),
            new FindingSignature("leak", "aligned", 1, 256, program, Line("aligned-leak"), null),
            new FindingSignature("leak", "cotaskmem", 1, 300, program, Line("cotaskmem-realloc-leak"), null),
            new FindingSignature("mismatched-free", "hglobal", 1, 48, program, Line("hglobal-alloc"), Line("hglobal-freed-by-cotaskmem")),
            new FindingSignature("mismatched-free", "aligned", 1, 128, program, Line("aligned-alloc"), Line("aligned-freed-by-free")),
            new FindingSignature("double-free", "native", 1, 40, program, Line("double-alloc"), Line("double-free")),
        };
        string[] Sorted(IEnumerable<FindingSignature> s) => s.Select(f => f.ToString()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Sorted(expected), Sorted(json.RootElement.GetProperty("findings").EnumerateArray().Select(FindingSignature.From)));

        // Stacks start at the user's call: the generated interceptor (compiled into the consumer) is the allocator's frame.
        int stacksSeen = 0;
        foreach (JsonElement finding in json.RootElement.GetProperty("findings").EnumerateArray())
        {
            if (!finding.TryGetProperty("stacks", out JsonElement stacks))
            {
                continue;
            }

            foreach (JsonElement stack in stacks.EnumerateArray())
            {
                JsonElement innermost = stack.GetProperty("frames")[0];
                Assert.True(
                    innermost.GetProperty("file").GetString() == program && !innermost.GetProperty("method").GetString()!.StartsWith("LeakScope.", StringComparison.Ordinal),
                    "a stack starts outside the user's code: " + stack);
                stacksSeen++;
            }
        }

        Assert.True(stacksSeen > 0, "no finding had a stack (misuse findings always do in the default --stacks sampled)");

        JsonElement account = json.RootElement.GetProperty("account");
        Assert.Equal(1, account.GetProperty("native").GetProperty("liveBlocks").GetInt64());
        Assert.Equal(192, account.GetProperty("hglobal").GetProperty("liveBytes").GetInt64());

        // COMPLETE was checked against the target's own counts of the tracked families (Heartbeat version 2): its final
        // heartbeat names them with the leaked bytes, so a heartbeat without them, or other figures, fails here.
        JsonElement target = json.RootElement.GetProperty("completeness").GetProperty("targetCounts");
        Assert.True(target.GetProperty("final").GetBoolean() && target.GetProperty("matched").GetBoolean(), target.ToString());
        Assert.Equal((1L, 100L), Live(target, "native"));
        Assert.Equal((3L, 192L), Live(target, "hglobal"));
        Assert.Equal((1L, 256L), Live(target, "aligned"));
        Assert.Equal((1L, 300L), Live(target, "cotaskmem"));

        // Every figure of the account, not only the live ones, is the target's own: allocations and frees per family (folded
        // alloc/free pairs included — they were once filed under raw and pool at a neighbouring site).
        foreach (string family in new[] { "raw", "pool", "native", "aligned", "hglobal", "cotaskmem" })
        {
            JsonElement ours = account.TryGetProperty(family, out JsonElement o) ? o : default;
            long Figure(JsonElement counts, string name) => counts.ValueKind == JsonValueKind.Object ? counts.GetProperty(name).GetInt64() : 0;
            Assert.True(
                (Figure(ours, "allocations"), Figure(ours, "frees")) == (Figure(target.GetProperty(family), "allocations"), Figure(target.GetProperty(family), "frees")),
                $"{family}: the account says {ours} but the target counted {target.GetProperty(family)}");
        }

        static (long Blocks, long Bytes) Live(JsonElement counts, string family) =>
            (counts.GetProperty(family).GetProperty("liveBlocks").GetInt64(), counts.GetProperty(family).GetProperty("liveBytes").GetInt64());
    }

    [Fact]
    public async Task With_interception_off_nothing_is_generated_and_the_program_is_not_traced()
    {
        string app = await BuildAsync("off", intercept: false);
        Assert.False(Generated(app), "interceptors were generated with LeakScopeIntercept=false");

        // Without interception the allocator is never loaded: the tracer says so (exit 3). --safe skips the double free,
        // which glibc would abort on without LeakScope.
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "--", "dotnet", Dll(app), "--safe");
        using (cli)
        {
            Assert.True(exitCode == 3, $"exit {exitCode}:\n{cli.Output}\n{cli.Errors}");
            Assert.Contains("ALIVE at the end", cli.Output);
        }
    }

    /// <summary>The line marked <c>// PLANTED:name</c> in the consumer's Program.cs.</summary>
    private static int Marker(string program, string name)
    {
        string[] lines = File.ReadAllLines(program);
        int index = Array.FindIndex(lines, l => l.EndsWith("// PLANTED:" + name, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no PLANTED:{name} marker in {program}");
        return index + 1;
    }

    [GeneratedRegex(@"Program\.cs\((\d+),\d+\): warning LS0001")]
    private static partial Regex Ls0001();
}
