using System.Text.RegularExpressions;

namespace LeakScope.Allocator.Tests;

/// <summary>Each clean sample runs to completion as a real process, with no misuse and no live block at the end.</summary>
[Collection(OwnedMemoryCollection.Name)]
public partial class SampleTests
{
    [Theory]
    [InlineData("RandomNoise")]
    [InlineData("SomeMemory")]
    [InlineData("ArrayOperations")]
    [InlineData("Matrix")]
    public void A_clean_sample_runs_to_completion_without_misuse_or_live_blocks(string sample)
    {
        // Under the throw policy any misuse would end the sample with an exception and a non-zero exit code.
        using SampleProcess process = SampleProcess.Start(sample, new Dictionary<string, string> { ["LEAKSCOPE_MISUSE"] = "throw" });
        int exitCode = process.WaitForExit();

        Assert.True(exitCode == 0, $"{sample} exited with {exitCode}:\n{process.Output}\n{process.Error}");
        Assert.Equal("", process.Error);
        Match summary = Summary().Match(process.Output);
        Assert.True(summary.Success, $"{sample} printed no HeapStats summary:\n{process.Output}");
        Assert.Equal("0", summary.Groups["live"].Value);
        Assert.Equal("0", summary.Groups["bytes"].Value);
        Assert.Equal("0", summary.Groups["misuse"].Value);
        Assert.Equal(summary.Groups["allocations"].Value, summary.Groups["frees"].Value);
    }

    [Fact]
    public void The_matrix_sample_refuses_AddRow_while_viewed()
    {
        using SampleProcess process = SampleProcess.Start("Matrix");
        Assert.Equal(0, process.WaitForExit());
        Assert.Matches(@"AddRow refused while viewed: 1 view\(s\) outstanding, first strided view #\d+ acquired at Program\.cs:\d+", process.Output);
        Assert.Contains("AddRow after release: 5 rows, view count 0", process.Output);
    }

    [GeneratedRegex(@"^HeapStats: live (?<live>\d+) blocks / (?<bytes>\d+) B, (?<allocations>\d+) allocations, (?<frees>\d+) frees, (?<misuse>\d+) misuses", RegexOptions.Multiline)]
    internal static partial Regex Summary();
}
