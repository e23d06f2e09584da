using System.Text.Json;
using System.Xml.Linq;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Tracer.Tests.Reporting;

/// <summary>
/// The SARIF, JUnit and HTML writers given the same reports as <see cref="HostileStringReportTests"/>: each hostile
/// string must leave the document parseable and of the same structure as a report of plain strings — no element,
/// attribute, property or array item added or lost.
/// </summary>
public class HostileStringFormatTests
{
    private const string Placeholder = "ZZZZ";

    /// <summary>Every hostile string, and a lone surrogate (only a corrupt trace yields one).</summary>
    public static TheoryData<string> Names
    {
        get
        {
            TheoryData<string> names = HostileStrings.Names;
            names.Add(LoneSurrogate);
            return names;
        }
    }

    private const string LoneSurrogate = "lone surrogate";

    private static string Get(string name) => name == LoneSurrogate ? "half\uD800pair \uDC00" : HostileStrings.Get(name);

    [Theory]
    [MemberData(nameof(Names))]
    public void Sarif_keeps_its_shape(string name)
    {
        using JsonDocument hostile = JsonDocument.Parse(SarifReportWriter.ToSarif(HostileStringReportTests.Report(Get(name))));
        using JsonDocument clean = JsonDocument.Parse(SarifReportWriter.ToSarif(HostileStringReportTests.Report(Placeholder)));

        // An empty member has no logical location: SARIF leaves it out, as it should.
        if (Get(name).Length > 0)
        {
            Assert.Equal(HostileStringReportTests.Shape(clean.RootElement), HostileStringReportTests.Shape(hostile.RootElement));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Junit_keeps_its_shape(string name)
    {
        XDocument hostile = XDocument.Parse(JUnitReportWriter.ToXml(HostileStringReportTests.Report(Get(name))));
        XDocument clean = XDocument.Parse(JUnitReportWriter.ToXml(HostileStringReportTests.Report(Placeholder)));

        Assert.Equal(XmlShape(clean), XmlShape(hostile));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Html_keeps_its_shape(string name)
    {
        XDocument hostile = XDocument.Parse(HtmlReportWriter.ToHtml(HostileStringReportTests.Report(Get(name))));
        XDocument clean = XDocument.Parse(HtmlReportWriter.ToHtml(HostileStringReportTests.Report(Placeholder)));

        Assert.Equal(XmlShape(clean), XmlShape(hostile));
    }

    /// <summary>Every element's path and attribute names, in document order.</summary>
    private static string[] XmlShape(XDocument doc) =>
        doc.Descendants().Select(e => string.Join('/', e.AncestorsAndSelf().Reverse().Select(a => a.Name.LocalName))
            + "[" + string.Join(',', e.Attributes().Select(a => a.Name.LocalName)) + "]").ToArray();
}
