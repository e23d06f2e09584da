namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// Reports under faults: an unwritable destination is refused before the trace (exit 2); a report that fails at the
/// end (standard output on a full device) is named on stderr, exits 3, and costs no other report; a report file is
/// never left half-written.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class ReportOutputTests(MisuseDemoRecording recording)
{
    [Theory]
    [InlineData("-o", "/dev/full")]
    [InlineData("-o", "/proc/version")]
    [InlineData("--format", "json=/dev/full")]
    public async Task An_unwritable_report_path_is_refused_before_the_trace_with_exit_2(string option, string value)
    {
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("analyze", recording.NetTrace, "-q", option, value);
        using (cli)
        {
            Assert.True(exitCode == 2, $"exit {exitCode}: {cli.Errors}");
            string line = Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("leakscope: cannot write the ", line, StringComparison.Ordinal);
            Assert.Contains(value.Split('=')[^1], line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_nettrace_recording_on_a_full_device_is_refused_before_the_launch()
    {
        (int exitCode, TestProcess cli) = await LeakScopeCli.RunAsync("trace", "-q", "--nettrace", "/dev/full", "--", "dotnet", Repo.MisuseDemoDll);
        using (cli)
        {
            Assert.True(exitCode == 2, $"exit {exitCode}: {cli.Errors}");
            Assert.StartsWith("leakscope: cannot write the --nettrace recording to '/dev/full'", Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
            Assert.DoesNotContain(HeapStatsLine.Prefix, cli.Output, StringComparison.Ordinal); // the target never ran
        }
    }

    [Fact]
    public async Task A_report_that_fails_at_the_end_is_named_and_every_other_report_is_written()
    {
        using TempDirectory dir = LeakScopeCli.TempDirectory();
        string json = dir.File("r.json"), html = dir.File("r.html");

        // The text report goes to standard output, which is the full device: it fails only when written.
        string command = $"exec dotnet '{Repo.CliDll}' analyze '{recording.NetTrace}' -q --format 'json={json},text,html={html}' > /dev/full";
        using var cli = TestProcess.Start("sh", "-c", command);
        int exitCode = await cli.WaitForExitAsync(LeakScopeCli.Bound);

        Assert.True(exitCode == 3, $"exit {exitCode}: {cli.Errors}");
        string line = Assert.Single(cli.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("leakscope: the text report was not written to standard output", line, StringComparison.Ordinal);
        PlantedBugs.AssertExactly(System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("findings").EnumerateArray().Select(FindingSignature.From));
        Assert.EndsWith("</html>\n", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.Equal(["r.html", "r.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order()); // no temporary left
    }
}
