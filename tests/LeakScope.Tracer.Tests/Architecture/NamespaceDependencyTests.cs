using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Tracer.Tests.Architecture;

/// <summary>
/// The gate judges findings and reporting renders the gate's verdict: reporting may read the gate, never the other
/// way round, so the gate (and the CLI's gate options) can change without the report writers, and a report format
/// can be added without touching the gate.
/// </summary>
public class NamespaceDependencyTests
{
    private const string Gate = "LeakScope.Tracer.Gate";
    private const string Reporting = "LeakScope.Tracer.Reporting";

    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Graph =
        TypeDependencies.NamespaceGraph(typeof(GatePolicy).Assembly, "LeakScope.Tracer");

    [Fact]
    public void The_gate_does_not_use_reporting()
    {
        string[] offenders = typeof(GatePolicy).Assembly.GetTypes()
            .Where(t => t.Namespace == Gate)
            .Where(t => TypeDependencies.Of(t).Any(u => u.Namespace == Reporting))
            .Select(t => $"{t.FullName} uses {string.Join(", ", TypeDependencies.Of(t).Where(u => u.Namespace == Reporting).Select(u => u.Name))}")
            .ToArray();
        Assert.True(offenders.Length == 0, string.Join("\n", offenders));
        Assert.DoesNotContain(Reporting, Graph[Gate]);
    }

    [Fact]
    public void Reporting_reads_the_gate_and_method_bodies_are_seen()
    {
        Assert.Contains(Gate, Graph[Reporting]);

        // JUnitReportWriter names no gate type in its signatures; only its method bodies read report.Gate.Suppressed.
        Assert.Contains(typeof(GateResult), TypeDependencies.Of(typeof(JUnitReportWriter)));
    }
}
