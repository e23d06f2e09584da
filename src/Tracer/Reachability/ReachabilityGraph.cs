namespace LeakScope.Tracer.Reachability;

/// <summary>
/// Who points at whom at the moment of a heap snapshot: native blocks (nodes <c>0 .. Blocks-1</c>, in the order they
/// were given) and managed objects (the nodes after them), edges from a holder to what it holds, and the roots with
/// their names. An edge into a block is <c>interior</c> when the pointer is not the block's start. Edge labels name the
/// place in the holder that holds the target (<c>Holder.Ptr</c>, <c>Holder[]</c>); a label may be left to
/// <see cref="ReachabilityClassifier"/>'s resolver (index -1), which is asked only for edges on a reported path.
/// Pure data: built by <see cref="HeapDumpReader"/> from a dump, or by a test.
/// </summary>
internal sealed class ReachabilityGraph
{
    private readonly List<string> _labels = new();
    private readonly Dictionary<string, int> _labelIds = new(StringComparer.Ordinal);
    private readonly List<Edge> _edges = new();
    private readonly List<Root> _roots = new();
    private int _objects;

    public ReachabilityGraph(int blocks) => Blocks = blocks;

    /// <summary>Native blocks: nodes 0 .. Blocks-1.</summary>
    public int Blocks { get; }

    public int Nodes => Blocks + _objects;

    public int Objects => _objects;

    public int EdgeCount => _edges.Count;

    public IReadOnlyList<Root> Roots => _roots;

    public bool IsBlock(int node) => node < Blocks;

    /// <summary>A new managed object node.</summary>
    public int AddObject() => Blocks + _objects++;

    /// <summary>A label's index (interned).</summary>
    public int Label(string text)
    {
        if (!_labelIds.TryGetValue(text, out int id))
        {
            id = _labels.Count;
            _labels.Add(text);
            _labelIds.Add(text, id);
        }

        return id;
    }

    public string LabelText(int label) => _labels[label];

    public void AddRoot(int node, string label, bool interior = false) => _roots.Add(new Root(node, Label(label), interior));

    public void AddEdge(int from, int to, int label = -1, bool interior = false) => _edges.Add(new Edge(from, to, label, interior));

    /// <summary>The edges grouped by their source (compressed rows): <c>offsets[n] .. offsets[n+1]</c> index <c>edges</c>.</summary>
    public (int[] Offsets, Edge[] Edges) Adjacency()
    {
        int[] offsets = new int[Nodes + 1];
        foreach (Edge e in _edges)
        {
            offsets[e.From + 1]++;
        }

        for (int i = 0; i < Nodes; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var sorted = new Edge[_edges.Count];
        int[] next = (int[])offsets.Clone();
        foreach (Edge e in _edges)
        {
            sorted[next[e.From]++] = e;
        }

        return (offsets, sorted);
    }

    internal readonly record struct Edge(int From, int To, int Label, bool Interior);

    internal readonly record struct Root(int Node, int Label, bool Interior);
}
