using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reachability;
using LeakScope.Tracer.Tests.Analysis;

namespace LeakScope.Tracer.Tests.Reachability;

/// <summary>The verdicts of docs/reachability.md on hand-built graphs: GIVEN holders and pointers, THEN each block's class.</summary>
public class ReachabilityClassifierTests
{
    private static string Unresolved(int from, int to) => $"#{from}->{to}";

    [Fact]
    public void A_block_a_static_holds_is_retained_with_the_static_as_its_path()
    {
        var g = new ReachabilityGraph(blocks: 1);
        g.AddRoot(0, "static Roots.Pointer");

        BlockClass c = ReachabilityClassifier.Classify(g, Unresolved)[0];

        Assert.Null(c.Reachability);
        Assert.Equal(["static Roots.Pointer"], c.Path);
    }

    [Fact]
    public void The_path_names_every_holder_from_the_root_and_takes_the_shortest_way()
    {
        var g = new ReachabilityGraph(blocks: 1);
        int list = g.AddObject(), array = g.AddObject(), holder = g.AddObject(), longWay = g.AddObject();
        g.AddRoot(list, "static Cache.Items");
        g.AddRoot(longWay, "strong handle");
        g.AddEdge(list, array, g.Label("List<Holder>._items"));
        g.AddEdge(array, holder, g.Label("Holder[]"));
        g.AddEdge(holder, 0, g.Label("Holder.Ptr"));
        g.AddEdge(longWay, list);

        Assert.Equal(["static Cache.Items", "List<Holder>._items", "Holder[]", "Holder.Ptr"], ReachabilityClassifier.Classify(g, Unresolved)[0].Path);
    }

    [Fact]
    public void Lost_blocks_are_unreferenced_indirect_held_by_garbage_or_interior()
    {
        // 0: nothing points at it. 1 <-> 2: a cycle. 3: a dead object holds it, and 3 holds 4. 5: a static points into its middle.
        var g = new ReachabilityGraph(blocks: 6);
        int dead = g.AddObject();
        g.AddEdge(1, 2, g.Label("b"));
        g.AddEdge(2, 1, g.Label("b"));
        g.AddEdge(dead, 3, g.Label("Holder.Ptr"));
        g.AddEdge(3, 4, g.Label("b"));
        g.AddRoot(5, "static Roots.Interior", interior: true);

        BlockClass[] c = ReachabilityClassifier.Classify(g, Unresolved);

        Assert.Equal(
            new LeakReachability?[] { LeakReachability.Unreferenced, LeakReachability.Indirect, LeakReachability.Indirect, LeakReachability.HeldByGarbage, LeakReachability.HeldByGarbage, LeakReachability.Interior },
            c.Select(x => x.Reachability));
    }

    [Fact]
    public void A_chain_of_blocks_from_a_static_is_retained_through_the_blocks()
    {
        var g = new ReachabilityGraph(blocks: 3);
        g.AddRoot(0, "static Roots.Chain");
        g.AddEdge(0, 1, g.Label("native block (A.cs:1)[+8]"));
        g.AddEdge(1, 2, g.Label("native block (A.cs:2)[+16]"));

        BlockClass[] c = ReachabilityClassifier.Classify(g, Unresolved);

        Assert.All(c, x => Assert.Null(x.Reachability));
        Assert.Equal(["static Roots.Chain", "native block (A.cs:1)[+8]", "native block (A.cs:2)[+16]"], c[2].Path);
    }

    [Fact]
    public void Labels_left_to_the_resolver_are_asked_only_for_a_path()
    {
        var g = new ReachabilityGraph(blocks: 1);
        int holder = g.AddObject();
        g.AddRoot(holder, "stack");
        g.AddEdge(holder, 0);

        Assert.Equal(["stack", $"#{holder}->0"], ReachabilityClassifier.Classify(g, Unresolved)[0].Path);
    }

    [Fact]
    public void The_engine_splits_live_blocks_by_verdict_and_groups_holders_by_path()
    {
        AnalysisEngine engine = TraceScript.Given()
            .Site(1, 10).Site(2, 20)
            .Alloc(1, 64, site: 1, HeapFamily.Raw).Alloc(2, 64, site: 1, HeapFamily.Raw).Alloc(3, 32, site: 1, HeapFamily.Raw)
            .Alloc(4, 16, site: 2).Alloc(5, 8, site: 2)
            .Feed();
        engine.ApplyReachability(new ReachabilitySnapshot(
        [
            new BlockVerdict(new AllocationId(1), null, ["static Cache.Items", "Holder.Ptr"]),
            new BlockVerdict(new AllocationId(2), null, ["static Cache.Items", "Holder.Ptr"]),
            new BlockVerdict(new AllocationId(3), LeakReachability.HeldByGarbage, null),
            new BlockVerdict(new AllocationId(4), LeakReachability.Unreferenced, null),
            new BlockVerdict(new AllocationId(99), LeakReachability.Unreferenced, null), // freed before the end: ignored
        ]));

        AnalysisResult result = engine.Finish(new StreamSummary(StreamEnd.EndOfFile, 0));

        Finding retained = Assert.Single(result.OfKind(FindingKind.Retained));
        Assert.Equal((2, 128L, 10), (retained.Count, retained.Bytes, retained.Site.Line));
        Holder holder = Assert.Single(retained.Holders);
        Assert.Equal((2, 128L), (holder.Count, holder.Bytes));
        Finding[] leaks = result.OfKind(FindingKind.Leak).ToArray();
        Assert.Equal(3, leaks.Length);
        Assert.Contains(leaks, f => f.Site.Line == 10 && f.Reachability == LeakReachability.HeldByGarbage && f.Bytes == 32);
        Assert.Contains(leaks, f => f.Site.Line == 20 && f.Reachability == LeakReachability.Unreferenced && f.Bytes == 16);
        Assert.Contains(leaks, f => f.Site.Line == 20 && f.Reachability is null && f.Bytes == 8); // the snapshot did not see it
        Assert.Equal(56, result.LeakedBytes);
    }
}
