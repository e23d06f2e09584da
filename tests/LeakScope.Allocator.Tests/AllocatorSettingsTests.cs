using LeakScope.Allocator.MisuseTarget;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests;

/// <summary>The misuse policy: how <c>LEAKSCOPE_MISUSE</c> is read, and that it reaches a real process.</summary>
public class AllocatorSettingsTests
{
    [Theory]
    [InlineData(null, MisusePolicy.Report)]
    [InlineData("", MisusePolicy.Report)]
    [InlineData("report", MisusePolicy.Report)]
    [InlineData("REPORT", MisusePolicy.Report)]
    [InlineData("throw", MisusePolicy.Throw)]
    [InlineData("Throw", MisusePolicy.Throw)]
    [InlineData("  throw \n", MisusePolicy.Throw)]
    [InlineData("failfast", MisusePolicy.FailFast)]
    [InlineData("FailFast", MisusePolicy.FailFast)]
    [InlineData("fail-fast", MisusePolicy.FailFast)]
    [InlineData("FAIL-FAST", MisusePolicy.FailFast)]
    [InlineData("abort", MisusePolicy.Report)]
    [InlineData("1", MisusePolicy.Report)]
    public void The_environment_variable_is_parsed_leniently_and_anything_unknown_means_report(string? text, MisusePolicy expected)
    {
        Assert.Equal(expected, AllocatorSettings.ParsePolicy(text));
    }

    [Fact]
    public void The_variable_name_is_the_documented_one()
    {
        Assert.Equal("LEAKSCOPE_MISUSE", AllocatorSettings.MisusePolicyVariable);
    }

    [Fact]
    public void An_undefined_policy_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AllocatorSettings.MisusePolicy = (MisusePolicy)42);
    }

    [Fact]
    public async Task A_process_started_with_the_variable_set_to_throw_throws_at_a_misuse()
    {
        ChildOutcome outcome = await MisuseTargetProcess.RunAsync("double-free-small-raw", "throw");

        Assert.True(outcome.ExitCode == (int)TargetExitCode.Caught, outcome.ToString());
        Assert.Contains("policy: Throw", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("caught: DoubleFree", outcome.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_process_started_without_the_variable_reports_and_carries_on()
    {
        ChildOutcome outcome = await MisuseTargetProcess.RunAsync("mismatched-free-pool-by-raw", misuseVariable: null);

        Assert.True(outcome.ExitCode == (int)TargetExitCode.Survived, outcome.ToString());
        Assert.Contains("policy: Report", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("survived", outcome.StandardOutput, StringComparison.Ordinal);
    }
}
