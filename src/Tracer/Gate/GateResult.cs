using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Gate;

/// <summary>
/// The gate's verdict: passed or not and why, the findings that remain after suppressions (in the engine's order),
/// the suppressed ones with the suppression that matched each, and how often each suppression matched (0: unused).
/// Of the remaining findings, <see cref="Failing"/> are those that fail the gate; the others are outside
/// <see cref="GatePolicy.FailOn"/> or leaks within <see cref="GatePolicy.MaxLeakedBytes"/>.
/// </summary>
public sealed record GateResult(
    bool Passed,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<SuppressedFinding> Suppressed,
    IReadOnlyList<SuppressionUse> Suppressions,
    GatePolicy Policy)
{
    /// <summary>Set when the launched target's exit failed the gate (<see cref="TargetExitRule"/>): the reason, also in <see cref="Reasons"/>.</summary>
    public string? TargetExit { get; init; }

    /// <summary>The suppressions that matched no finding.</summary>
    public IEnumerable<SuppressionUse> Unused => Suppressions.Where(s => s.Matched == 0);

    /// <summary>The findings that fail the gate, in the engine's order (a subset of <see cref="Findings"/>).</summary>
    public IReadOnlyList<Finding> Failing { get; init; } = [];

    /// <summary>Remaining findings that do not fail the gate (kind not in <c>--fail-on</c>, or leaks within the budget).</summary>
    public IReadOnlyList<Finding> NotFailing { get; init; } = [];
}
