using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Tests.Reporting;

/// <summary>Stacks in the reports: JSON's contract, text's shared frames said once, the folded format.</summary>
public class StackReportTests
{
    private static readonly CallFrame Helper = new("App.Tensor.Create", "/src/App/Tensor.cs", 10);
    private static readonly CallFrame Weights = new("App.Paths.LoadWeights", "/src/App/Program.cs", 20);
    private static readonly CallFrame Prefetch = new("App.Paths.PrefetchAsync", "/src/App/Program.cs", 30);
    private static readonly CallFrame Main = new("Program.Main", "/src/App/Program.cs", 5);

    private static TraceReport Report()
    {
        var engine = new AnalysisEngine();
        engine.On(new SiteDefined(new SiteId(1), "/src/App/Tensor.cs", 10, "Create"));
        engine.On(new SiteDefined(new SiteId(2), "/src/App/Program.cs", 40, "Free"));
        engine.On(new StackDefined(1, [Helper, Weights, Main]));
        engine.On(new StackDefined(2, [Helper, Prefetch]));
        engine.On(new StackDefined(3, [new CallFrame("App.Paths.Release", "/src/App/Program.cs", 40), Main]));
        for (int i = 1; i <= 3; i++)
        {
            engine.On(new BlockAllocated(new AllocationId(i), 0, 1000, new SiteId(1), HeapFamily.Raw));
            engine.On(new StackSampled(StackOperation.Allocate, StackReason.Every, new AllocationId(i), 1000, new SiteId(1), 0, i == 3 ? 2 : 1));
        }

        // A double free of block 9 (allocated by Prefetch's path, freed twice at Release).
        engine.On(new BlockAllocated(new AllocationId(9), 0, 16, new SiteId(1), HeapFamily.Raw));
        engine.On(new StackSampled(StackOperation.Allocate, StackReason.Every, new AllocationId(9), 16, new SiteId(1), 0, 2));
        engine.On(new BlockFreed(new AllocationId(9), 0, 16, new SiteId(2), HeapFamily.Raw));
        engine.On(new MisuseReported(MisuseKind.DoubleFree, HeapFamily.Raw, HeapFamily.Raw, new AllocationId(9), 0, 16, new SiteId(2), new SiteId(1)));
        engine.On(new MisuseStacked(MisuseKind.DoubleFree, new AllocationId(9), new SiteId(2), 3));
        AnalysisResult result = engine.Finish(new StreamSummary(StreamEnd.TargetExited, 0, 0, true));
        return new TraceReport(result, new TargetInfo(1, "dotnet App.dll") { ExitCode = 0 }, Session: null);
    }

    [Fact]
    public void Json_gives_each_finding_its_stacks_innermost_first_and_double_frees_their_freeing_stacks()
    {
        using var output = new MemoryStream();
        JsonReportWriter.Write(Report(), output);
        using JsonDocument doc = JsonDocument.Parse(output.ToArray());
        JsonElement[] findings = doc.RootElement.GetProperty("findings").EnumerateArray().ToArray();
        JsonElement leak = findings.Single(f => f.GetProperty("kind").GetString() == "leak");
        JsonElement first = leak.GetProperty("stacks")[0];
        Assert.Equal(new[] { "frames", "count", "bytes", "estimated" }, first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "method", "file", "line" }, first.GetProperty("frames")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("App.Tensor.Create", first.GetProperty("frames")[0].GetProperty("method").GetString());
        Assert.Equal("App.Paths.LoadWeights", first.GetProperty("frames")[1].GetProperty("method").GetString());
        Assert.Equal(20, first.GetProperty("frames")[1].GetProperty("line").GetInt32());
        Assert.Equal(2000, first.GetProperty("bytes").GetInt64());
        Assert.Equal(2, first.GetProperty("count").GetInt64());
        Assert.False(first.GetProperty("estimated").GetBoolean());

        JsonElement doubleFree = findings.Single(f => f.GetProperty("kind").GetString() == "double-free");
        Assert.Equal("App.Paths.PrefetchAsync", doubleFree.GetProperty("stacks")[0].GetProperty("frames")[1].GetProperty("method").GetString());
        Assert.Equal("App.Paths.Release", doubleFree.GetProperty("freeStacks")[0].GetProperty("frames")[0].GetProperty("method").GetString());
    }

    [Fact]
    public void Text_says_the_shared_frames_once_and_each_stack_where_it_parts()
    {
        string text = TextReportWriter.ToText(Report());
        Assert.Contains("        2 stacks:\n          via App.Tensor.Create (Tensor.cs:10)\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("2,000 B in 2 blocks  from App.Paths.LoadWeights (Program.cs:20)", text, StringComparison.Ordinal);
        Assert.Contains("← Program.Main (Program.cs:5)", text, StringComparison.Ordinal);
        Assert.Contains("1,000 B in 1 block  from App.Paths.PrefetchAsync (Program.cs:30)", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), l => l.Contains("App.Tensor.Create", StringComparison.Ordinal) && l.Contains("via", StringComparison.Ordinal) && !l.Contains("double", StringComparison.Ordinal));
        Assert.Contains("freeing call's stack:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sarif_carries_result_stacks_and_still_validates_against_the_schema()
    {
        string sarif = SarifReportWriter.ToSarif(Report(), ReportContext.Default with { SourceRoot = "/src" });
        Assert.Empty(await LeakScope.Tests.Shared.SarifSchema.ValidateAsync(sarif));
        using JsonDocument doc = JsonDocument.Parse(sarif);
        JsonElement result = doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("ruleId").GetString() == "leak");
        JsonElement frame = result.GetProperty("stacks")[0].GetProperty("frames")[1].GetProperty("location");
        Assert.Equal("App.Paths.LoadWeights", frame.GetProperty("logicalLocations")[0].GetProperty("fullyQualifiedName").GetString());
        Assert.Equal(20, frame.GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
    }

    [Fact]
    public void Html_has_an_icicle_of_leaked_bytes_with_a_box_per_frame_and_the_callers_side_by_side()
    {
        string html = HtmlReportWriter.ToHtml(Report());
        var doc = System.Xml.Linq.XDocument.Parse(html);
        var section = doc.Descendants().Single(e => (string?)e.Attribute("id") == "flame-leak");
        var boxes = section.Descendants().Where(e => (string?)e.Attribute("class") == "fb").ToArray();
        Assert.Equal("all", boxes[0].Value);
        Assert.Equal("3000", (string?)boxes[0].Attribute("data-bytes"));
        var weights = boxes.Single(b => b.Value.StartsWith("App.Paths.LoadWeights", StringComparison.Ordinal));
        var prefetch = boxes.Single(b => b.Value.StartsWith("App.Paths.PrefetchAsync", StringComparison.Ordinal));
        Assert.Equal("2000", (string?)weights.Attribute("data-bytes"));
        Assert.Equal("1000", (string?)prefetch.Attribute("data-bytes"));
        Assert.Equal(2, boxes.Count(b => b.Value.StartsWith("App.Tensor.Create", StringComparison.Ordinal))); // one leaf under each caller
    }

    [Fact]
    public void Html_frames_name_their_files_relative_to_the_source_root_as_sites_do()
    {
        string html = HtmlReportWriter.ToHtml(Report(), ReportContext.Default with { SourceRoot = "/src" });
        var doc = System.Xml.Linq.XDocument.Parse(html);
        var section = doc.Descendants().Single(e => (string?)e.Attribute("id") == "flame-leak");
        var boxes = section.Descendants().Where(e => (string?)e.Attribute("class") == "fb").Select(b => b.Value).ToArray();
        Assert.Contains(boxes, b => b.StartsWith("App.Paths.LoadWeights (App/Program.cs:20)", StringComparison.Ordinal));
        Assert.DoesNotContain(boxes, b => b.Contains("/src/", StringComparison.Ordinal));
    }

    /// <summary>A buffer whose resize (at Grow) was refused while a view from Render was out, and an owner never disposed (from Make).</summary>
    private static TraceReport ViewsAndOwners()
    {
        var render = new CallFrame("App.Paths.Render", "/src/App/Program.cs", 20);
        var engine = new AnalysisEngine();
        engine.On(new SiteDefined(new SiteId(1), "/src/App/Program.cs", 10, "Make"));
        engine.On(new SiteDefined(new SiteId(2), "/src/App/Program.cs", 20, "Render"));
        engine.On(new SiteDefined(new SiteId(3), "/src/App/Program.cs", 30, "Grow"));
        engine.On(new StackDefined(1, [render, Main]));
        engine.On(new StackDefined(2, [new CallFrame("App.Paths.Grow", "/src/App/Program.cs", 30), Main]));
        engine.On(new StackDefined(3, [new CallFrame("App.Paths.Make", "/src/App/Program.cs", 10), Main]));
        engine.On(new BlockAllocated(new AllocationId(100), 0, 256, new SiteId(1), HeapFamily.Pool));
        engine.On(new OwnerCreated(new OwnerId(50), OwnerKind.NativeBuffer, new SiteId(1), new AllocationId(100)));
        engine.On(new StackSampled(StackOperation.CreateOwner, StackReason.Every, new AllocationId(50), 256, new SiteId(1), 0, 3));
        engine.On(new ViewAcquired(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View));
        engine.On(new StackSampled(StackOperation.AcquireView, StackReason.Every, new AllocationId(60), 0, new SiteId(2), 0, 1));
        engine.On(new ResizeBlocked(new OwnerId(50), new SiteId(3), 512, 1));
        engine.On(new ResizeBlockedView(new OwnerId(50), new ViewId(60), new SiteId(2)));
        engine.On(new StackSampled(StackOperation.RefuseResize, StackReason.Every, new AllocationId(50), 0, new SiteId(3), 0, 2));
        engine.On(new ViewReleased(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View));
        engine.On(new OwnerFinalized(new OwnerId(50), OwnerKind.NativeBuffer, new SiteId(1), new AllocationId(100), 256, HeapFamily.Pool));
        engine.On(new BlockFreed(new AllocationId(100), 0, 256, new SiteId(1), HeapFamily.Pool));
        AnalysisResult result = engine.Finish(new StreamSummary(StreamEnd.TargetExited, 0, 0, true));
        return new TraceReport(result, new TargetInfo(1, "dotnet App.dll") { ExitCode = 0 }, Session: null);
    }

    [Fact]
    public async Task View_owner_and_resize_stacks_are_in_json_text_sarif_and_html()
    {
        TraceReport report = ViewsAndOwners();
        using var output = new MemoryStream();
        JsonReportWriter.Write(report, output);
        using JsonDocument doc = JsonDocument.Parse(output.ToArray());
        JsonElement[] findings = doc.RootElement.GetProperty("findings").EnumerateArray().ToArray();
        JsonElement resize = findings.Single(f => f.GetProperty("kind").GetString() == "resize-with-views");
        Assert.Equal("App.Paths.Grow", resize.GetProperty("stacks")[0].GetProperty("frames")[0].GetProperty("method").GetString());
        JsonElement viewStack = resize.GetProperty("views")[0].GetProperty("stacks")[0];
        Assert.Equal(new[] { "frames", "count", "bytes", "estimated" }, viewStack.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("App.Paths.Render", 20), (viewStack.GetProperty("frames")[0].GetProperty("method").GetString(), viewStack.GetProperty("frames")[0].GetProperty("line").GetInt32()));
        Assert.Equal(1, viewStack.GetProperty("count").GetInt64());
        JsonElement owner = findings.Single(f => f.GetProperty("kind").GetString() == "owner-finalized");
        Assert.Equal("App.Paths.Make", owner.GetProperty("stacks")[0].GetProperty("frames")[0].GetProperty("method").GetString());

        var text = new StringWriter();
        TextReportWriter.Write(report, text);
        Assert.Contains("resize call's stack:", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("acquiring stack:", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("1 view  from App.Paths.Render (Program.cs:20)", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("creation stack:", text.ToString(), StringComparison.Ordinal);

        string sarif = SarifReportWriter.ToSarif(report, ReportContext.Default with { SourceRoot = "/src" });
        Assert.Empty(await LeakScope.Tests.Shared.SarifSchema.ValidateAsync(sarif));
        Assert.Contains("outstanding view acquired here", sarif, StringComparison.Ordinal);
        Assert.Contains("owner created here", sarif, StringComparison.Ordinal);

        string html = HtmlReportWriter.ToHtml(report);
        Assert.Contains("view acquired from <code>App.Paths.Render</code>", html, StringComparison.Ordinal);
        Assert.Contains("created from <code>App.Paths.Make</code>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Folded_lists_leaked_bytes_per_stack_outermost_first()
    {
        string folded = FoldedReportWriter.ToText(Report());
        Assert.Equal(
            "Program.Main (Program.cs:5);App.Paths.LoadWeights (Program.cs:20);App.Tensor.Create (Tensor.cs:10) 2000\n" +
            "App.Paths.PrefetchAsync (Program.cs:30);App.Tensor.Create (Tensor.cs:10) 1000\n",
            folded);
    }
}
