using System.Xml.Linq;
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
        Assert.Equal("8", suite.Attribute("tests")!.Value);
        Assert.Equal("4", suite.Attribute("failures")!.Value);

        XElement[] cases = suite.Elements("testcase").ToArray();
        Assert.Equal(ReportNames.AllKinds.Select(ReportNames.Kind), cases.Select(c => c.Attribute("name")!.Value));
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
}
