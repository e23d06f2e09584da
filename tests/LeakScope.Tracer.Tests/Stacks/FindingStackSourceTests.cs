using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Tests.Analysis;

namespace LeakScope.Tracer.Tests.Stacks;

/// <summary>
/// GIVEN stack samples of blocks, views and owners, WHEN the engine judges, THEN each finding's stacks are its own: a
/// growth's from the blocks allocated while it grew, a view's from its acquire, an owner's from its creation.
/// </summary>
public class FindingStackSourceTests
{
    private static readonly CallFrame Helper = new("App.Tensor.Create", "/src/App/Tensor.cs", 10);
    private static readonly CallFrame Startup = new("App.Program.Startup", "/src/App/Program.cs", 5);
    private static readonly CallFrame Loop = new("App.Program.Loop", "/src/App/Program.cs", 9);
    private static readonly CallFrame Acquirer = new("App.Program.Render", "/src/App/Program.cs", 20);
    private static readonly CallFrame OtherAcquirer = new("App.Program.Export", "/src/App/Program.cs", 21);
    private static readonly CallFrame Grower = new("App.Program.Grow", "/src/App/Program.cs", 30);
    private static readonly CallFrame Maker = new("App.Program.Make", "/src/App/Program.cs", 15);

    [Fact]
    public void Growth_shows_the_stacks_of_blocks_allocated_while_it_grew_not_the_sites_first_allocation()
    {
        // Block 1 (the site's first allocation, from Startup) is live before the first heartbeat and stays live; the site
        // then grows by one block a window, all from Loop, every one byte-sampled.
        TraceScript script = TraceScript.Given().Site(1, 10, "Create", "/src/App/Tensor.cs")
            .Add(s => s.On(new StackDefined(1, [Helper, Startup])))
            .Add(s => s.On(new StackDefined(2, [Helper, Loop])))
            .Alloc(1, 512, site: 1)
            .Add(s => s.On(new StackSampled(StackOperation.Allocate, StackReason.FirstAtSite, new AllocationId(1), 512, new SiteId(1), 4096, 1)))
            .Heartbeat(0, 0, 1, 512);
        for (long id = 2; id <= 6; id++)
        {
            long block = id;
            script.Alloc(block, 512, site: 1)
                .Add(s => s.On(new StackSampled(StackOperation.Allocate, StackReason.Every, new AllocationId(block), 512, new SiteId(1), 0, 2)))
                .Heartbeat(0, 0, block, block * 512);
        }

        AnalysisResult result = script.When(new StreamSummary(StreamEnd.Duration));

        Finding growth = Assert.Single(result.OfKind(FindingKind.Growth));
        Assert.Equal(5 * 512L, growth.Bytes);
        FindingStack stack = Assert.Single(growth.Stacks);
        Assert.Equal([Helper, Loop], stack.Frames);
        Assert.Equal((5L, 5 * 512L), (stack.Count, stack.Bytes));

        // The leak is every live block: the first allocation's stack is there, as that block leaked.
        Finding leak = Assert.Single(result.OfKind(FindingKind.Leak));
        Assert.Equal(new[] { (Startup, 1L), (Loop, 5L) }, leak.Stacks.Select(s => (s.Frames[1], s.Count)).OrderBy(p => p.Item2));
    }

    [Fact]
    public void A_blocked_resize_gives_its_calls_stack_and_each_outstanding_views_acquiring_stack()
    {
        AnalysisResult result = BufferWithViews()
            .Add(s => s.On(new StackDefined(4, [Grower])))
            .Add(s => s.On(new ResizeBlocked(new OwnerId(50), new SiteId(4), 128, 3)))
            .Add(s => s.On(new ResizeBlockedView(new OwnerId(50), new ViewId(60), new SiteId(2))))
            .Add(s => s.On(new ResizeBlockedView(new OwnerId(50), new ViewId(61), new SiteId(2))))
            .Add(s => s.On(new ResizeBlockedView(new OwnerId(50), new ViewId(62), new SiteId(3))))
            .Misuse(MisuseKind.ResizeWithViews, HeapFamily.Pool, HeapFamily.Pool, 50, 256, site: 4, allocationSite: 1)
            .Add(s => s.On(new StackSampled(StackOperation.RefuseResize, StackReason.Every, new AllocationId(50), 0, new SiteId(4), 0, 4)))
            .When();

        Finding f = Assert.Single(result.OfKind(FindingKind.ResizeWithViews));
        Assert.Equal([Grower], Assert.Single(f.Stacks).Frames);
        ViewSite render = f.Views.Single(v => v.Site.Line == 20);
        FindingStack renderStack = Assert.Single(render.Stacks);
        Assert.Equal([Acquirer], renderStack.Frames);
        Assert.Equal(2L, renderStack.Count);
        Assert.Equal([OtherAcquirer], Assert.Single(f.Views.Single(v => v.Site.Line == 21).Stacks).Frames);
    }

    [Fact]
    public void View_leaks_carry_their_views_acquiring_stacks()
    {
        AnalysisResult result = BufferWithViews()
            .Add(s => s.On(new ViewLeaked(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .Add(s => s.On(new ViewReleased(new ViewId(61), new OwnerId(50), new SiteId(2), ViewKind.View)))
            .When();

        Finding finalized = Assert.Single(result.OfKind(FindingKind.ViewLeak), f => f.Detail is null);
        Assert.Equal([Acquirer], Assert.Single(finalized.Stacks).Frames);
        Finding atEnd = Assert.Single(result.OfKind(FindingKind.ViewLeak), f => f.Detail == "outstanding-at-end");
        FindingStack stack = Assert.Single(atEnd.Stacks);
        Assert.Equal([OtherAcquirer], stack.Frames);
        Assert.Equal((1L, 256L), (stack.Count, stack.Bytes));
    }

    [Fact]
    public void Owners_reclaimed_by_the_finalizer_carry_their_creation_stacks()
    {
        AnalysisResult result = TraceScript.Given()
            .Site(1, 15, "Make")
            .Add(s => s.On(new StackDefined(1, [Maker])))
            .Add(s => s.On(new StackDefined(2, [Maker with { Line = 16 }])))
            .Add(s => s.On(new StackSampled(StackOperation.CreateOwner, StackReason.Every, new AllocationId(1), 400, new SiteId(1), 0, 1)))
            .Add(s => s.On(new StackSampled(StackOperation.CreateOwner, StackReason.Every, new AllocationId(3), 400, new SiteId(1), 0, 1)))
            .Add(s => s.On(new OwnerFinalized(new OwnerId(1), OwnerKind.NativeArray, new SiteId(1), new AllocationId(2), 400, HeapFamily.Pool)))
            .Add(s => s.On(new OwnerFinalized(new OwnerId(3), OwnerKind.NativeArray, new SiteId(1), new AllocationId(4), 400, HeapFamily.Pool)))
            .When();

        Finding f = Assert.Single(result.OfKind(FindingKind.OwnerFinalized));
        FindingStack stack = Assert.Single(f.Stacks);
        Assert.Equal([Maker], stack.Frames);
        Assert.Equal((2L, 800L, false), (stack.Count, stack.Bytes, stack.Estimated));
        Assert.Empty(result.OfKind(FindingKind.Leak).SelectMany(l => l.Stacks)); // owner samples are not block samples
    }

    /// <summary>A buffer (owner 50, storage 100) with views 60, 61 (site 2, from Render) and 62 (site 3, from Export).</summary>
    private static TraceScript BufferWithViews() => TraceScript.Given()
        .Site(1, 10, "Create").Site(2, 20, "Render").Site(3, 21, "Export").Site(4, 30, "Grow")
        .Add(s => s.On(new StackDefined(1, [Acquirer])))
        .Add(s => s.On(new StackDefined(2, [OtherAcquirer])))
        .Alloc(100, 256, site: 1)
        .Add(s => s.On(new OwnerCreated(new OwnerId(50), OwnerKind.NativeBuffer, new SiteId(1), new AllocationId(100))))
        .Add(s => s.On(new ViewAcquired(new ViewId(60), new OwnerId(50), new SiteId(2), ViewKind.View)))
        .Add(s => s.On(new StackSampled(StackOperation.AcquireView, StackReason.Every, new AllocationId(60), 0, new SiteId(2), 0, 1)))
        .Add(s => s.On(new ViewAcquired(new ViewId(61), new OwnerId(50), new SiteId(2), ViewKind.View)))
        .Add(s => s.On(new StackSampled(StackOperation.AcquireView, StackReason.Every, new AllocationId(61), 0, new SiteId(2), 0, 1)))
        .Add(s => s.On(new ViewAcquired(new ViewId(62), new OwnerId(50), new SiteId(3), ViewKind.Pin)))
        .Add(s => s.On(new StackSampled(StackOperation.AcquireView, StackReason.Every, new AllocationId(62), 0, new SiteId(3), 0, 2)));
}
