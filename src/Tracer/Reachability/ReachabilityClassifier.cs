using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Reachability;

/// <summary>
/// Classifies every block of a <see cref="ReachabilityGraph"/> the way LeakSanitizer and memcheck do, with managed
/// objects as holders too (docs/reachability.md):
/// <list type="number">
/// <item>from the roots, following object references and pointers to a block's start: <b>retained</b>, with the
/// shortest path from a root;</item>
/// <item>blocks that a retained holder reaches only through interior pointers, and what they hold: <b>interior</b>;</item>
/// <item>blocks that managed objects no root reaches still point at (and what those blocks hold): <b>held-by-garbage</b>;</item>
/// <item>of the rest, blocks some other lost block points at (a cycle, the tail of a lost list): <b>indirect</b>;
/// the others: <b>unreferenced</b>.</item>
/// </list>
/// </summary>
internal static class ReachabilityClassifier
{
    /// <summary>
    /// The verdict of each block, by node. <paramref name="resolveLabel"/> names an edge whose label was left to it;
    /// asked only for the edges of a retained block's path.
    /// </summary>
    public static BlockClass[] Classify(ReachabilityGraph graph, Func<int, int, string> resolveLabel)
    {
        (int[] offsets, ReachabilityGraph.Edge[] edges) = graph.Adjacency();
        int nodes = graph.Nodes;
        var reached = new bool[nodes];
        int[] parent = new int[nodes];
        int[] parentLabel = new int[nodes];
        int[] rootLabel = new int[nodes];
        Array.Fill(parent, -1);
        Array.Fill(rootLabel, -1);
        var verdict = new LeakReachability?[graph.Blocks];
        var interiorHit = new bool[graph.Blocks];

        // 1. Retained: breadth first from the roots, in their order (statics first), so each path is a shortest one.
        var queue = new Queue<int>();
        foreach (ReachabilityGraph.Root root in graph.Roots)
        {
            if (root.Interior && graph.IsBlock(root.Node))
            {
                interiorHit[root.Node] = true;
                continue;
            }

            if (!reached[root.Node])
            {
                reached[root.Node] = true;
                rootLabel[root.Node] = root.Label;
                queue.Enqueue(root.Node);
            }
        }

        while (queue.Count > 0)
        {
            int node = queue.Dequeue();
            for (int i = offsets[node]; i < offsets[node + 1]; i++)
            {
                ReachabilityGraph.Edge e = edges[i];
                if (e.Interior && graph.IsBlock(e.To))
                {
                    interiorHit[e.To] = true;
                    continue;
                }

                if (!reached[e.To])
                {
                    reached[e.To] = true;
                    parent[e.To] = node;
                    parentLabel[e.To] = i;
                    queue.Enqueue(e.To);
                }
            }
        }

        // 2. Interior: reached only through interior pointers from retained holders, and whatever those blocks hold.
        var lost = new bool[nodes];
        for (int b = 0; b < graph.Blocks; b++)
        {
            if (!reached[b] && interiorHit[b])
            {
                verdict[b] = LeakReachability.Interior;
                lost[b] = true;
                queue.Enqueue(b);
            }
        }

        Spread(queue, offsets, edges, graph, reached, lost, verdict, LeakReachability.Interior, throughObjects: false);

        // 3. Held by garbage: what unreachable managed objects point at, and what those blocks hold.
        for (int n = graph.Blocks; n < nodes; n++)
        {
            if (!reached[n])
            {
                lost[n] = true;
                queue.Enqueue(n);
            }
        }

        Spread(queue, offsets, edges, graph, reached, lost, verdict, LeakReachability.HeldByGarbage, throughObjects: true);

        // 4. The rest: pointed at by another lost block (indirect), or by nothing (unreferenced).
        var pointedAt = new bool[graph.Blocks];
        for (int b = 0; b < graph.Blocks; b++)
        {
            for (int i = offsets[b]; i < offsets[b + 1]; i++)
            {
                if (edges[i].To != b && graph.IsBlock(edges[i].To))
                {
                    pointedAt[edges[i].To] = true;
                }
            }
        }

        var result = new BlockClass[graph.Blocks];
        var paths = new Dictionary<int, IReadOnlyList<string>>();
        for (int b = 0; b < graph.Blocks; b++)
        {
            if (reached[b])
            {
                result[b] = new BlockClass(null, PathTo(b));
            }
            else
            {
                result[b] = new BlockClass(verdict[b] ?? (pointedAt[b] ? LeakReachability.Indirect : LeakReachability.Unreferenced), null);
            }
        }

        return result;

        IReadOnlyList<string> PathTo(int node)
        {
            if (paths.TryGetValue(node, out IReadOnlyList<string>? known))
            {
                return known;
            }

            var steps = new List<string>();
            int at = node;
            while (parent[at] >= 0)
            {
                ReachabilityGraph.Edge e = edges[parentLabel[at]];
                steps.Add(e.Label >= 0 ? graph.LabelText(e.Label) : resolveLabel(e.From, e.To));
                at = parent[at];
            }

            steps.Add(rootLabel[at] >= 0 ? graph.LabelText(rootLabel[at]) : "root");
            steps.Reverse();
            paths[node] = steps;
            return steps;
        }
    }

    private static void Spread(
        Queue<int> queue, int[] offsets, ReachabilityGraph.Edge[] edges, ReachabilityGraph graph,
        bool[] reached, bool[] lost, LeakReachability?[] verdict, LeakReachability kind, bool throughObjects)
    {
        while (queue.Count > 0)
        {
            int node = queue.Dequeue();
            for (int i = offsets[node]; i < offsets[node + 1]; i++)
            {
                int to = edges[i].To;
                if (reached[to] || lost[to] || (!throughObjects && !graph.IsBlock(to)))
                {
                    continue;
                }

                lost[to] = true;
                if (graph.IsBlock(to))
                {
                    verdict[to] = kind;
                }

                queue.Enqueue(to);
            }
        }
    }
}

/// <summary>One block's verdict: retained with its holder path (<see cref="Reachability"/> null), or lost and how.</summary>
internal readonly record struct BlockClass(LeakReachability? Reachability, IReadOnlyList<string>? Path);
