using System.Text.Json;
using System.Text.RegularExpressions;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;
using LeakScope.Tracer.Tests.Analysis;

namespace LeakScope.Tracer.Tests.Reporting;

/// <summary>
/// Site files and members and the target's command line are the target's own strings: the JSON report must carry
/// them back unchanged and keep its shape, and the text report must keep one line per line whatever they contain.
/// </summary>
public partial class HostileStringReportTests
{
    /// <summary>Stands for the target's strings in the reference report.</summary>
    private const string Placeholder = "ZZZZ";

    /// <summary>
    /// A report whose every site and command line is <paramref name="hostile"/>: a leak, a mismatched free (allocating
    /// and freeing sites), a blocked resize with its view's acquiring site, a view leak and an invalid free.
    /// </summary>
    internal static TraceReport Report(string hostile, string? command = null)
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 10, hostile, HostileStrings.File(hostile))
            .Site(2, 20, hostile, hostile)
            .Site(3, 30, "Resize" + hostile, HostileStrings.File(hostile))
            .Alloc(1, 80, site: 1)
            .Alloc(2, 64, site: 1, HeapFamily.Raw)
            .Misuse(MisuseKind.MismatchedFree, HeapFamily.Raw, HeapFamily.Pool, 2, 64, site: 2, allocationSite: 1)
            .Free(2, 64, freeSite: 2, HeapFamily.Raw)
            .Misuse(MisuseKind.InvalidFree, HeapFamily.Unknown, HeapFamily.Pool, 0, 0, site: 2, allocationSite: 0)
            .Add(s => s.On(new OwnerCreated(new OwnerId(50), OwnerKind.NativeBuffer, new SiteId(1), new AllocationId(1))))
            .Add(s => s.On(new ViewAcquired(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .Add(s => s.On(new ResizeBlocked(new OwnerId(50), new SiteId(3), 100, 1)))
            .Add(s => s.On(new ResizeBlockedView(new OwnerId(50), new ViewId(60), new SiteId(2))))
            .Add(s => s.On(new ViewLeaked(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .Heartbeat(0, 0, 1, 80, final: true)
            .When();
        return new TraceReport(result, new TargetInfo(4242, command ?? hostile) { ExitCode = 0 }, Session: null);
    }

    [Theory]
    [MemberData(nameof(HostileStrings.Names), MemberType = typeof(HostileStrings))]
    public void The_json_report_carries_every_string_back_unchanged_and_keeps_its_shape(string name)
    {
        string hostile = HostileStrings.Get(name);
        string json = JsonReportWriter.ToJson(Report(hostile));
        string clean = JsonReportWriter.ToJson(Report(Placeholder));

        using JsonDocument doc = JsonDocument.Parse(json);
        using JsonDocument cleanDoc = JsonDocument.Parse(clean);
        JsonElement root = doc.RootElement;
        Assert.Equal(hostile, root.GetProperty("target").GetProperty("command").GetString());
        Assert.Equal(Shape(cleanDoc.RootElement), Shape(root));

        JsonElement[] findings = root.GetProperty("findings").EnumerateArray().ToArray();
        Assert.Equal(5, findings.Length);
        foreach (JsonElement site in findings.SelectMany(Sites))
        {
            string file = site.GetProperty("file").GetString()!;
            string member = site.GetProperty("member").GetString()!;
            Assert.Contains((file, member), new[] { (HostileStrings.File(hostile), hostile), (hostile, hostile), (HostileStrings.File(hostile), "Resize" + hostile) });
        }

        Assert.DoesNotContain(json, c => c < 0x20 && c != '\n' && c != ' ');
    }

    [Theory]
    [MemberData(nameof(HostileStrings.Names), MemberType = typeof(HostileStrings))]
    public void The_text_report_keeps_one_line_per_line_and_shows_the_string_escaped(string name)
    {
        string hostile = HostileStrings.Get(name);
        string text = TextReportWriter.ToText(Report(hostile));
        string clean = TextReportWriter.ToText(Report(Placeholder));

        string[] lines = text.Split('\n');
        string[] cleanLines = clean.Split('\n');
        Assert.Equal(cleanLines.Length, lines.Length);
        Assert.Equal(cleanLines.Count(l => FindingLine().IsMatch(l)), lines.Count(l => FindingLine().IsMatch(l)));
        for (int i = 0; i < lines.Length; i++)
        {
            // Line by line the report says the same: what is not the target's string is unchanged around it.
            int first = cleanLines[i].IndexOf(Placeholder, StringComparison.Ordinal);
            if (first < 0)
            {
                Assert.Equal(cleanLines[i], lines[i]);
                continue;
            }

            int last = cleanLines[i].LastIndexOf(Placeholder, StringComparison.Ordinal) + Placeholder.Length;
            Assert.StartsWith(cleanLines[i][..first], lines[i], StringComparison.Ordinal);
            Assert.EndsWith(cleanLines[i][last..], lines[i], StringComparison.Ordinal);
        }

        int unprintable = text.IndexOfAny(HostileStrings.UnprintableInText);
        Assert.True(unprintable < 0, $"U+{(unprintable < 0 ? 0 : text[unprintable]):X4} reached the text report");
        Assert.StartsWith($"LeakScope report — pid 4242: {PrintableText.Escape(hostile)}\n", text, StringComparison.Ordinal);
        Assert.Contains($"({PrintableText.Escape(hostile)})", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_hostile_string_at_once_round_trips_through_json_and_stays_on_its_lines_in_text()
    {
        var script = TraceScript.Given();
        IReadOnlyList<string> all = HostileStrings.All;
        for (int i = 0; i < all.Count; i++)
        {
            script.Site(i + 1, i + 1, all[i], HostileStrings.File(all[i])).Alloc(i + 1, 16 + i, site: i + 1);
        }

        AnalysisResult result = script.When();
        string command = string.Join(' ', all);
        var report = new TraceReport(result, new TargetInfo(1, command), Session: null);

        using JsonDocument doc = JsonDocument.Parse(JsonReportWriter.ToJson(report));
        var sites = doc.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("site").GetProperty("file").GetString(), f.GetProperty("site").GetProperty("member").GetString()))
            .ToHashSet();
        Assert.Equal(all.Select(h => ((string?)HostileStrings.File(h), (string?)h)).ToHashSet(), sites);
        Assert.Equal(command, doc.RootElement.GetProperty("target").GetProperty("command").GetString());

        string text = TextReportWriter.ToText(report);
        string[] lines = text.Split('\n');
        Assert.Equal(all.Count, lines.Count(l => FindingLine().IsMatch(l)));
        Assert.True(text.IndexOfAny(HostileStrings.UnprintableInText) < 0);
    }

    [Fact]
    public void A_lone_surrogate_from_a_corrupt_trace_is_written_as_a_replacement_character_and_the_json_still_parses()
    {
        string json = JsonReportWriter.ToJson(Report("bad\uD800half"));

        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal("bad\uFFFDhalf", doc.RootElement.GetProperty("target").GetProperty("command").GetString());
        Assert.Contains("bad\uD800half", TextReportWriter.ToText(Report("bad\uD800half")), StringComparison.Ordinal);
    }

    private static IEnumerable<JsonElement> Sites(JsonElement finding)
    {
        yield return finding.GetProperty("site");
        if (finding.TryGetProperty("freeSite", out JsonElement free))
        {
            yield return free;
        }

        if (finding.TryGetProperty("views", out JsonElement views))
        {
            foreach (JsonElement view in views.EnumerateArray())
            {
                yield return view.GetProperty("site");
            }
        }
    }

    /// <summary>Every property path and value kind in the document: a string that broke out of its quotes would add or change one.</summary>
    internal static string[] Shape(JsonElement element, string path = "$")
    {
        var paths = new List<string>();
        void Walk(JsonElement e, string at)
        {
            paths.Add($"{at}:{e.ValueKind}");
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    Walk(p.Value, $"{at}.{p.Name}");
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (JsonElement item in e.EnumerateArray())
                {
                    Walk(item, $"{at}[{i++}]");
                }
            }
        }

        Walk(element, path);
        return paths.ToArray();
    }

    /// <summary>The first line of a finding: indent, family, count and what it counts, bytes and what they are.</summary>
    [GeneratedRegex(@"^  (raw|pool|unknown) +[\d,]+ [a-z ]+ +[\d,.]+ (B|KiB|MiB) (total|gained)  ")]
    private static partial Regex FindingLine();
}
