using System.Globalization;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Gate;

/// <summary>
/// The CI gate (docs/cli.md, "The CI gate"). A finding that no suppression matches fails the gate when its kind is in
/// <see cref="FailOn"/> — except that with <see cref="MaxLeakedBytes"/> set, <c>leak</c> findings fail only together,
/// when their bytes add up to more than the budget. <see cref="FailOnIncomplete"/> also fails a trace whose account is
/// not provably exact. The default fails on any finding.
/// </summary>
public sealed record GatePolicy
{
    /// <summary>Fail on any finding whose kind gates by default; no budget, no suppressions.</summary>
    public static readonly GatePolicy Default = new();

    /// <summary>The kinds that fail the gate; by default those whose <see cref="FindingKindInfo.GatesByDefault"/> is set.</summary>
    public IReadOnlySet<FindingKind> FailOn { get; init; } = FindingKinds.All.Where(k => k.GatesByDefault).Select(k => k.Kind).ToHashSet();

    /// <summary>With a value, <c>leak</c> findings fail only together, when their bytes exceed it (<c>--max-leaked-bytes</c>).</summary>
    public long? MaxLeakedBytes { get; init; }

    /// <summary>Also fail when the account is not provably exact (<c>--fail-on incomplete</c>).</summary>
    public bool FailOnIncomplete { get; init; }

    /// <summary>Findings these match never fail the gate (<c>--suppressions</c>).</summary>
    public IReadOnlyList<Suppression> Suppressions { get; init; } = [];

    /// <summary>Do not fail the gate when a launched target exits non-zero or dies by a signal (<see cref="TargetExitRule"/>).</summary>
    public bool IgnoreTargetExitCode { get; init; }

    /// <summary>Applies the suppressions and judges what is left; with <paramref name="target"/>, also its exit (<see cref="TargetExitRule"/>).</summary>
    public GateResult Evaluate(AnalysisResult analysis, TargetInfo? target = null)
    {
        var active = new List<Finding>();
        var suppressed = new List<SuppressedFinding>();
        var matched = new long[Suppressions.Count];
        foreach (Finding finding in analysis.Findings)
        {
            int by = -1;
            for (int i = 0; i < Suppressions.Count && by < 0; i++)
            {
                if (Suppressions[i].Matches(finding))
                {
                    by = i;
                }
            }

            if (by < 0)
            {
                active.Add(finding);
            }
            else
            {
                matched[by]++;
                suppressed.Add(new SuppressedFinding(finding, Suppressions[by]));
            }
        }

        var reasons = new List<string>();
        var failing = new HashSet<Finding>(ReferenceEqualityComparer.Instance);
        long leaked = active.Where(f => f.Kind == FindingKind.Leak).Sum(f => f.Bytes);
        bool overBudget = MaxLeakedBytes is { } limit && leaked > limit;
        foreach (IGrouping<FindingKind, Finding> kind in active.GroupBy(f => f.Kind).OrderBy(g => g.Key))
        {
            bool budgeted = kind.Key == FindingKind.Leak && MaxLeakedBytes is not null;
            if (FailOn.Contains(kind.Key) && !budgeted)
            {
                FindingKindInfo info = FindingKinds.Of(kind.Key);
                int findings = kind.Count();
                reasons.Add($"{findings} {info.Name} {(findings == 1 ? "finding" : "findings")}: {info.Amount(kind.Sum(f => f.Count), kind.Sum(f => f.Bytes))}");
                failing.UnionWith(kind);
            }
            else if (budgeted && overBudget)
            {
                // Over the budget, the leaks fail together.
                failing.UnionWith(kind);
            }
        }

        if (MaxLeakedBytes is { } budget && overBudget)
        {
            reasons.Add($"{leaked.ToString("N0", CultureInfo.InvariantCulture)} B leaked, more than --max-leaked-bytes {budget.ToString("N0", CultureInfo.InvariantCulture)}");
        }

        if (FailOnIncomplete && !analysis.Completeness.Complete)
        {
            reasons.Add("the account is incomplete: " + string.Join("; ", analysis.Completeness.Reasons));
        }

        string? targetExit = IgnoreTargetExitCode ? null : TargetExitRule.Failure(target);
        if (targetExit is not null)
        {
            reasons.Add(targetExit);
        }

        SuppressionUse[] uses = Suppressions.Select((s, i) => new SuppressionUse(s, matched[i])).ToArray();
        return new GateResult(reasons.Count == 0, reasons, active, suppressed, uses, this)
        {
            TargetExit = targetExit,
            Failing = active.Where(failing.Contains).ToArray(),
            NotFailing = active.Where(f => !failing.Contains(f)).ToArray(),
        };
    }

    /// <summary>The policy as a user would write it: <c>--fail-on leak,double-free --max-leaked-bytes 1024</c>.</summary>
    public string Describe()
    {
        var tokens = new List<string>();
        if (FailOn.IsSupersetOf(Default.FailOn))
        {
            // "any" is every kind that gates by default; a kind that does not (retained) is named after it.
            tokens.Add("any");
            tokens.AddRange(FailOn.Except(Default.FailOn).Order().Select(FindingKinds.Name));
        }
        else
        {
            tokens.AddRange(FailOn.Order().Select(FindingKinds.Name));
        }

        if (FailOnIncomplete)
        {
            tokens.Add("incomplete");
        }

        string kinds = tokens.Count == 0 ? "none" : string.Join(",", tokens);
        string text = $"--fail-on {kinds}";
        if (MaxLeakedBytes is { } budget)
        {
            text += $" --max-leaked-bytes {budget.ToString(CultureInfo.InvariantCulture)}";
        }

        if (IgnoreTargetExitCode)
        {
            text += " " + TargetExitRule.OptOut;
        }

        return text;
    }
}
