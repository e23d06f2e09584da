using System.Xml.Linq;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Tracer.Tests.Reporting;

public class JUnitReportWriterTests
{
    [Fact]
    public void Each_kind_is_a_test_case_and_each_finding_a_failure_in_it()
    {
        XDocument doc = XDocument.Parse(JUnitReportWriter.ToXml(ReportFixture.Create()));
        XElement suite = doc.Root!.Element("testsuite")!;
        Assert.Equal("testsuites", doc.Root.Name.LocalName);
        Assert.Equal((ReportNames.AllKinds.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), suite.Attribute("tests")!.Value); // the gate, then one case per kind
        Assert.Equal("5", suite.Attribute("failures")!.Value);

        // The gate's verdict first, then one case per kind.
        XElement[] cases = suite.Elements("testcase").ToArray();
        Assert.Equal(ReportNames.AllKinds.Select(ReportNames.Kind).Prepend("gate"), cases.Select(c => c.Attribute("name")!.Value));
        Assert.StartsWith("Gate failed (--fail-on any): 2 leak findings: 4 blocks, 440 B total", cases[0].Element("failure")!.Attribute("message")!.Value, StringComparison.Ordinal);
        Assert.Equal(2, cases.Single(c => c.Attribute("name")!.Value == "leak").Elements("failure").Count());
        Assert.Empty(cases.Single(c => c.Attribute("name")!.Value == "double-free").Elements("failure"));
        XElement failure = cases.Single(c => c.Attribute("name")!.Value == "mismatched-free").Element("failure")!;
        Assert.StartsWith("/src/Demo/Program.cs:67: 1 raw block (64 B) allocated here was freed by pool", failure.Attribute("message")!.Value, StringComparison.Ordinal);
        Assert.Contains("freed at /src/Demo/Program.cs:68", failure.Value, StringComparison.Ordinal);
        Assert.Equal("failed", suite.Element("properties")!.Elements("property").Single(p => p.Attribute("name")!.Value == "gate").Attribute("value")!.Value);
    }

    [Fact]
    public void Hostile_strings_and_control_characters_still_parse_and_suppressed_findings_are_not_failures()
    {
        var gate = new GatePolicy { Suppressions = SuppressionFile.Parse("double-free *", "s.txt") };
        XDocument doc = XDocument.Parse(JUnitReportWriter.ToXml(ReportFixture.Hostile(gate)));
        XElement suite = doc.Root!.Element("testsuite")!;

        XElement leak = suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == "leak");
        Assert.Contains(ReportFixture.HostileMember, leak.Elements("failure").First().Value, StringComparison.Ordinal);
        XElement doubleFree = suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == "double-free");
        Assert.Empty(doubleFree.Elements("failure"));
        Assert.Contains("suppressed by s.txt:1", doubleFree.Element("system-out")!.Value, StringComparison.Ordinal);
        string command = suite.Element("properties")!.Elements("property").Single(p => p.Attribute("name")!.Value == "target.command").Attribute("value")!.Value;
        Assert.Equal(ReportFixture.HostileCommand.Replace('\u0001', '\uFFFD'), command);
    }

    [Fact]
    public void A_passing_gate_reads_green_findings_outside_fail_on_are_passing_cases_that_name_them()
    {
        // --fail-on double-free: the fixture's two leaks, mismatched free and invalid free do not fail the gate.
        var gate = new GatePolicy { FailOn = new HashSet<FindingKind> { FindingKind.DoubleFree } };
        TraceReport report = ReportFixture.Create() with { Gate = gate.Evaluate(ReportFixture.Create().Analysis) };
        Assert.True(report.Gate.Passed);

        XDocument doc = XDocument.Parse(JUnitReportWriter.ToXml(report));
        XElement suite = doc.Root!.Element("testsuite")!;
        Assert.Equal("0", doc.Root.Attribute("failures")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Empty(doc.Descendants("failure"));

        XElement leak = suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == "leak");
        string output = leak.Element("system-out")!.Value;
        Assert.Contains("/src/Demo/Program.cs:60: 3 pool blocks (240 B) allocated here were still live", output, StringComparison.Ordinal);
        Assert.Contains("/src/Demo/Program.cs:64: 1 raw block (200 B)", output, StringComparison.Ordinal);
        Assert.Contains("does not fail the gate", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Leaks_within_the_byte_budget_are_passing_cases_and_only_the_failing_kinds_fail()
    {
        // --max-leaked-bytes 1024 with the default kinds: the 440 B of leaks pass; the two misuse findings fail.
        var gate = GatePolicy.Default with { MaxLeakedBytes = 1024 };
        TraceReport report = ReportFixture.Create() with { Gate = gate.Evaluate(ReportFixture.Create().Analysis) };
        Assert.False(report.Gate.Passed);

        XDocument doc = XDocument.Parse(JUnitReportWriter.ToXml(report));
        XElement suite = doc.Root!.Element("testsuite")!;
        XElement Case(string name) => suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == name);
        Assert.Empty(Case("leak").Elements("failure"));
        Assert.Contains("/src/Demo/Program.cs:60", Case("leak").Element("system-out")!.Value, StringComparison.Ordinal);
        Assert.Single(Case("mismatched-free").Elements("failure"));
        Assert.Single(Case("invalid-free").Elements("failure"));
        Assert.Equal(doc.Descendants("failure").Count().ToString(System.Globalization.CultureInfo.InvariantCulture), suite.Attribute("failures")!.Value);

        // Over the budget, every leak fails the gate together.
        TraceReport over = report with { Gate = (gate with { MaxLeakedBytes = 439 }).Evaluate(report.Analysis) };
        XElement overLeak = XDocument.Parse(JUnitReportWriter.ToXml(over)).Root!.Element("testsuite")!
            .Elements("testcase").Single(c => c.Attribute("name")!.Value == "leak");
        Assert.Equal(2, overLeak.Elements("failure").Count());
    }
}
