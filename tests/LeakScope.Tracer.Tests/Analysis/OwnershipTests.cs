using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Analysis;

/// <summary>Owners and views, from synthetic streams (the classes that write these events live on another branch).</summary>
public class OwnershipTests
{
    private static TraceScript BufferWithViews() => TraceScript.Given()
        .Site(1, 10, "Create").Site(2, 20, "Acquire").Site(3, 21, "AcquireOther").Site(4, 30, "Grow").Site(5, 5, "Storage")
        .Alloc(100, 256, site: 5)
        .Add(s => s.On(new OwnerCreated(new OwnerId(50), OwnerKind.NativeBuffer, new SiteId(1), new AllocationId(100))))
        .Add(s => s.On(new ViewAcquired(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View)))
        .Add(s => s.On(new ViewAcquired(new ViewId(61), new OwnerId(50), new SiteId(2), ViewKind.View)))
        .Add(s => s.On(new ViewAcquired(new ViewId(62), new OwnerId(50), new SiteId(3), ViewKind.Pin)));

    [Fact]
    public void Resize_with_views_names_every_outstanding_views_acquiring_site()
    {
        AnalysisResult result = BufferWithViews()
            .Add(s => s.On(new ResizeBlocked(new OwnerId(50), new SiteId(4), 128, 3)))
            .Add(s => s.On(new ResizeBlockedView(new OwnerId(50), new ViewId(60), new SiteId(2))))
            .Add(s => s.On(new ResizeBlockedView(new OwnerId(50), new ViewId(61), new SiteId(2))))
            .Add(s => s.On(new ResizeBlockedView(new OwnerId(50), new ViewId(62), new SiteId(3))))
            .Misuse(MisuseKind.ResizeWithViews, HeapFamily.Pool, HeapFamily.Pool, 100, 256, site: 4, allocationSite: 5)
            .Add(s => s.On(new ViewReleased(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .Add(s => s.On(new ViewReleased(new ViewId(61), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .Add(s => s.On(new ViewReleased(new ViewId(62), new OwnerId(50), new SiteId(3), ViewKind.Pin)))
            .When();

        Finding f = Assert.Single(result.OfKind(FindingKind.ResizeWithViews));
        Assert.Equal((HeapFamily.Pool, 1L, 256L, 30), (f.Family, f.Count, f.Bytes, f.Site.Line)); // the misuse event is the same incident
        Assert.Equal(new[] { (20, 2L), (21, 1L) }, f.Views.Select(v => (v.Site.Line, v.Count)));
        Assert.Empty(result.OfKind(FindingKind.ViewLeak));
    }

    [Fact]
    public void Views_finalized_unreleased_or_outstanding_at_the_end_are_view_leaks_at_their_acquiring_site()
    {
        AnalysisResult result = BufferWithViews()
            .Add(s => s.On(new ViewLeaked(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .Add(s => s.On(new ViewReleased(new ViewId(61), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .When();

        Finding finalized = Assert.Single(result.OfKind(FindingKind.ViewLeak), f => f.Detail is null);
        Assert.Equal((1L, 20, 256L, HeapFamily.Pool), (finalized.Count, finalized.Site.Line, finalized.Bytes, finalized.Family));
        Finding atEnd = Assert.Single(result.OfKind(FindingKind.ViewLeak), f => f.Detail == "outstanding-at-end");
        Assert.Equal((1L, 21), (atEnd.Count, atEnd.Site.Line));
    }

    [Fact]
    public void Disposing_a_buffer_under_its_views_reports_each_view_once()
    {
        AnalysisResult result = BufferWithViews()
            .Site(6, 40, "Dispose")
            .Misuse(MisuseKind.DisposeWithViews, HeapFamily.Pool, HeapFamily.Pool, 100, 256, site: 6, allocationSite: 5)
            .Add(s => s.On(new ViewLeaked(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .When();

        Finding[] leaks = result.OfKind(FindingKind.ViewLeak).ToArray();
        Assert.All(leaks, f => Assert.Equal("disposed-with-views", f.Detail));
        Assert.All(leaks, f => Assert.Equal(40, f.FreeSite!.Line));
        Assert.Equal(new[] { (20, 2L), (21, 1L) }, leaks.Select(f => (f.Site.Line, f.Count)).OrderBy(p => p.Item1));
    }

    [Fact]
    public void Owners_reclaimed_by_the_finalizer_are_grouped_by_creation_site_with_their_bytes()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 15, "Make")
            .Add(s => s.On(new OwnerFinalized(new OwnerId(1), OwnerKind.NativeArray, new SiteId(1), new AllocationId(2), 400, HeapFamily.Pool)))
            .Add(s => s.On(new OwnerFinalized(new OwnerId(3), OwnerKind.NativeArray, new SiteId(1), new AllocationId(4), 400, HeapFamily.Pool)))
            .When();

        Finding f = Assert.Single(result.Findings);
        Assert.Equal((FindingKind.OwnerFinalized, HeapFamily.Pool, 2L, 800L, 15), (f.Kind, f.Family, f.Count, f.Bytes, f.Site.Line));
    }

    [Fact]
    public void An_owner_follows_its_storage_through_a_realloc()
    {
        AnalysisResult result = BufferWithViews()
            .Realloc(100, 256, 101, 512, site: 4, HeapFamily.Pool)
            .Add(s => s.On(new ResizeBlocked(new OwnerId(50), new SiteId(4), 1024, 3)))
            .When();

        Assert.Equal(512, Assert.Single(result.OfKind(FindingKind.ResizeWithViews)).Bytes);
    }
}
