using LeakScope.Allocator.MisuseTarget;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests.Misuse;

/// <summary>
/// <see cref="MisusePolicy.FailFast"/>, selected by <c>LEAKSCOPE_MISUSE=failfast</c>: the process
/// dies at the misuse with a non-zero exit code and the allocator's message on stderr. Each case runs
/// the misuse target as a child process (bounded; killed if it hangs).
/// </summary>
public class MisuseFailFastTests
{
    public static TheoryData<string> Scenarios => MisuseCases.All;

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task The_process_dies_at_the_misuse_with_the_message_on_stderr(string name)
    {
        MisuseScenario scenario = MisuseScenarios.Get(name);

        ChildOutcome outcome = await MisuseTargetProcess.RunAsync(name, "failfast");

        Assert.True(outcome.ExitCode != 0, $"The child survived a fail-fast misuse: {outcome}");
        Assert.NotEqual((int)TargetExitCode.Caught, outcome.ExitCode);
        Assert.Contains("policy: FailFast", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("survived", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"LeakScope: {scenario.Kind} ", outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains($"({scenario.MisuseMember})", outcome.StandardError, StringComparison.Ordinal);
    }
}
