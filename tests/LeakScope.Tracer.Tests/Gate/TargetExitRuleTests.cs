using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Sessions;
using LeakScope.Tracer.Tests.Reporting;

namespace LeakScope.Tracer.Tests.Gate;

/// <summary>A launched target that exits non-zero or dies by a signal fails the gate, even with no finding; an option opts out.</summary>
public class TargetExitRuleTests
{
    private static readonly AnalysisResult Analysis = ReportFixture.Create().Analysis;
    private static readonly GatePolicy NoKinds = new() { FailOn = new HashSet<FindingKind>() };

    [Theory]
    [InlineData(1, "the target exited with code 1 (--ignore-target-exit-code to pass anyway)")]
    [InlineData(134, "the target exited with code 134 (128 + 6: killed by signal SIGABRT, or exited with that code) (--ignore-target-exit-code to pass anyway)")]
    [InlineData(137, "the target exited with code 137 (128 + 9: killed by signal SIGKILL, or exited with that code) (--ignore-target-exit-code to pass anyway)")]
    public void A_non_zero_exit_fails_the_gate_and_says_why(int exitCode, string reason)
    {
        GateResult result = NoKinds.Evaluate(Analysis, new TargetInfo(42, "dotnet app.dll") { ExitCode = exitCode });

        Assert.False(result.Passed);
        Assert.Equal(reason, Assert.Single(result.Reasons));
        Assert.Equal(reason, result.TargetExit);
    }

    [Fact]
    public void Exit_zero_a_target_the_tracer_stopped_and_an_attached_target_pass()
    {
        Assert.True(NoKinds.Evaluate(Analysis, new TargetInfo(42, "app") { ExitCode = 0 }).Passed);
        Assert.True(NoKinds.Evaluate(Analysis, new TargetInfo(42, "app") { KilledByTracer = true }).Passed);
        Assert.True(NoKinds.Evaluate(Analysis, new TargetInfo(42, "app")).Passed);
        Assert.True(NoKinds.Evaluate(Analysis).Passed);
    }

    [Fact]
    public void The_option_opts_out_and_shows_in_the_policy()
    {
        GatePolicy ignoring = NoKinds with { IgnoreTargetExitCode = true };
        GateResult result = ignoring.Evaluate(Analysis, new TargetInfo(42, "app") { ExitCode = 3 });

        Assert.True(result.Passed);
        Assert.Null(result.TargetExit);
        Assert.Equal("--fail-on none --ignore-target-exit-code", ignoring.Describe());
    }
}
