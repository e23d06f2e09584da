using System.Text.Json;

namespace LeakScope.EndToEnd.Tests;

/// <summary>The CI gate on a real recording of MisuseDemo (3 leaks, 1440 B; a mismatched, a double and an invalid free).</summary>
[Collection(EventPipeCollection.Name)]
public class GateTests(MisuseDemoRecording recording)
{
    private async Task<(int ExitCode, string Output, string Errors)> AnalyzeAsync(params string[] options)
    {
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync(["analyze", recording.NetTrace, .. options]);
        using (cli)
        {
            return (exitCode, cli.Output, cli.Errors);
        }
    }

    [Theory]
    [InlineData(1)] // default: any finding fails
    [InlineData(1, "--fail-on", "leak")]
    [InlineData(1, "--fail-on", "growth,double-free")]
    [InlineData(0, "--fail-on", "growth", "--fail-on", "owner-finalized,view-leak")]
    [InlineData(0, "--fail-on", "none", "--max-leaked-bytes", "1440")]
    [InlineData(1, "--fail-on", "none", "--max-leaked-bytes", "1439")]
    [InlineData(0, "--fail-on", "leak", "--max-leaked-bytes", "2K")]
    [InlineData(1, "--max-leaked-bytes", "1M")] // the misuse findings still fail with the default kinds
    [InlineData(0, "--fail-on", "none,incomplete")] // the account is complete
    public async Task Fail_on_and_max_leaked_bytes_decide_the_exit_code(int expected, params string[] gate)
    {
        (int exitCode, string output, string errors) = await AnalyzeAsync([.. gate, "--format", "json"]);
        Assert.True(exitCode == expected, $"exit {exitCode}: {errors}\n{output}");
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(expected == 0, doc.RootElement.GetProperty("gate").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Suppressed_findings_pass_the_gate_and_the_report_lists_used_and_unmatched_suppressions()
    {
        string file = recording.TempFile("ci.suppress");
        await File.WriteAllTextAsync(file, $"""
            # MisuseDemo's bugs are planted on purpose.
            leak            samples/MisuseDemo/Program.cs
            mismatched-free Program.cs:{Repo.Line("mismatched-alloc")} PlantedBugs
            *               MisuseDemo/*.cs:{Repo.Line("double-alloc")}-{Repo.Line("invalid-free")}
            double-free     NoSuchFile.cs          # matches nothing
            """);
        string json = recording.TempFile("suppressed.json");
        (int exitCode, string output, string errors) = await AnalyzeAsync("--suppressions", file, "--format", "text,json", "-o", "-", "-o", json);

        Assert.True(exitCode == 0, $"exit {exitCode}: {errors}\n{output}");
        Assert.Contains("Gate PASSED", output, StringComparison.Ordinal);
        Assert.Contains($"suppression {file}:5 'double-free NoSuchFile.cs': matched nothing", output, StringComparison.Ordinal);

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = doc.RootElement;
        Assert.Empty(root.GetProperty("findings").EnumerateArray());
        Assert.Equal(6, root.GetProperty("summary").GetProperty("suppressed").GetInt32());
        Assert.Equal(6, root.GetProperty("suppressedFindings").GetArrayLength());
        Assert.Equal(new long[] { 3, 1, 2, 0 }, root.GetProperty("suppressions").EnumerateArray().Select(s => s.GetProperty("matched").GetInt64()));
        Assert.Equal(new[] { 2, 3, 4, 5 }, root.GetProperty("suppressions").EnumerateArray().Select(s => s.GetProperty("line").GetInt32()));
    }

    [Fact]
    public async Task A_malformed_suppressions_line_is_a_usage_error_naming_file_and_line()
    {
        string file = recording.TempFile("bad.suppress");
        await File.WriteAllTextAsync(file, "# fine\nleak Program.cs\nleek Program.cs:12\n");
        (int exitCode, _, string errors) = await AnalyzeAsync("--suppressions", file);

        Assert.Equal(2, exitCode);
        Assert.Equal($"leakscope: {file}:3: unknown finding kind 'leek' (expected one of leak, growth, mismatched-free, double-free, invalid-free, resize-with-views, view-leak, owner-finalized, retained, or *)", errors.Trim());
    }
}
