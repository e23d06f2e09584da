using LeakScope.Tracer.Events;
using LeakScope.Tracer.Stacks;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// The stacks a trace carried: resolved stacks by id, the stack sample of each sampled allocation (by allocation id), and
/// the stacks of misuse calls. A finding's stacks come from its own blocks: a <c>leak</c> from the samples of the blocks
/// still live at the end, weighted by <see cref="SampleWeight"/>; a misuse from the offending call; a view or owner finding
/// from the acquire or creation of its views or owners.
/// </summary>
internal sealed class StackLedger(SiteTable sites)
{
    private readonly Dictionary<int, IReadOnlyList<CallFrame>> _stacks = new();
    private readonly Dictionary<long, StackSampled> _samples = new();
    private readonly Dictionary<(MisuseKind Kind, long Id, int Site), int> _misuse = new();

    /// <summary>View acquires and owner creations by view or owner id: their stack and site (they always carry a stack).</summary>
    private readonly Dictionary<long, (int StackId, int Site)> _views = new();
    private readonly Dictionary<long, (int StackId, int Site)> _owners = new();

    /// <summary>Refused resizes by (owner, resize site): the first such call's stack.</summary>
    private readonly Dictionary<(long Owner, int Site), int> _refusals = new();

    /// <summary>The stack of a resize of owner <paramref name="ownerId"/> refused at <paramref name="site"/>, when the trace carried it.</summary>
    public IReadOnlyList<CallFrame>? RefusalStack(long ownerId, int site) =>
        _refusals.TryGetValue((ownerId, site), out int stackId) && _stacks.TryGetValue(stackId, out IReadOnlyList<CallFrame>? frames) ? AtSite(frames, site) : null;

    /// <summary>Stack samples received.</summary>
    public long Samples { get; private set; }

    /// <summary>Stacks defined.</summary>
    public int Stacks => _stacks.Count;

    /// <summary>Samples whose stack was never defined (counted, never silently dropped).</summary>
    public long UndefinedStacks => _samples.Values.LongCount(s => !_stacks.ContainsKey(s.StackId));

    public void Define(in StackDefined record) => _stacks[record.StackId] = record.Frames;

    public void Sampled(in StackSampled record)
    {
        // A sample read from a stream that walked no stack for it (the main session) says nothing a stacked one does not.
        if (record.StackId < 0)
        {
            return;
        }

        Samples++;
        switch (record.Operation)
        {
            case StackOperation.AcquireView:
                _views.TryAdd(record.Id.Value, (record.StackId, record.Site.Value));
                break;
            case StackOperation.CreateOwner:
                _owners.TryAdd(record.Id.Value, (record.StackId, record.Site.Value));
                break;
            case StackOperation.RefuseResize:
                _refusals.TryAdd((record.Id.Value, record.Site.Value), record.StackId);
                break;
            default:
                _samples[record.Id.Value] = record;
                break;
        }
    }

    /// <summary>The stack that acquired view <paramref name="viewId"/>, when the trace carried it.</summary>
    public IReadOnlyList<CallFrame>? ViewStack(long viewId) => Frames(_views, viewId);

    /// <summary>The stack that created owner <paramref name="ownerId"/>, when the trace carried it.</summary>
    public IReadOnlyList<CallFrame>? OwnerStack(long ownerId) => Frames(_owners, ownerId);

    private IReadOnlyList<CallFrame>? Frames(Dictionary<long, (int StackId, int Site)> byId, long id) =>
        byId.TryGetValue(id, out (int StackId, int Site) entry) && _stacks.TryGetValue(entry.StackId, out IReadOnlyList<CallFrame>? frames) ? AtSite(frames, entry.Site) : null;

    public void MisuseStacked(in MisuseStacked record)
    {
        if (record.StackId >= 0)
        {
            _misuse.TryAdd((record.Kind, record.Id.Value, record.Site.Value), record.StackId);
        }
    }

    /// <summary>The stacks of leaked blocks, per (site, family) account: every sample whose block is still live.</summary>
    public Dictionary<(int Site, HeapFamily Family), List<FindingStack>> LeakStacks(HeapModel heap) => LiveStacks(heap, growthOnly: false);

    /// <summary>
    /// The stacks of the blocks a site grew by, per (site, family) account: live blocks allocated after the first
    /// heartbeat, where growth is measured from. A block already live then (often the site's first allocation, whose
    /// sample every site has) is where the site started, not what it grew by.
    /// </summary>
    public Dictionary<(int Site, HeapFamily Family), List<FindingStack>> GrowthStacks(HeapModel heap) => LiveStacks(heap, growthOnly: true);

    private Dictionary<(int Site, HeapFamily Family), List<FindingStack>> LiveStacks(HeapModel heap, bool growthOnly)
    {
        var bySite = new Dictionary<(int, HeapFamily), Dictionary<int, Accumulator>>();
        foreach (StackSampled sample in _samples.Values)
        {
            if (!heap.TryGetLive(sample.Id, out LiveBlock block) || !_stacks.ContainsKey(sample.StackId))
            {
                continue;
            }

            if (growthOnly && heap.LiveAtFirstHeartbeat(sample.Id.Value))
            {
                continue;
            }

            var key = (block.Site, block.Family);
            if (!bySite.TryGetValue(key, out Dictionary<int, Accumulator>? stacks))
            {
                bySite[key] = stacks = new Dictionary<int, Accumulator>();
            }

            stacks.TryGetValue(sample.StackId, out Accumulator sum);
            double weight = SampleWeight.Of(sample.Reason, block.Size, sample.SampleBytes);
            sum.Count += weight;
            sum.Bytes += weight * block.Size;
            sum.Estimated |= SampleWeight.IsEstimate(sample.Reason);
            stacks[sample.StackId] = sum;
        }

        var result = new Dictionary<(int, HeapFamily), List<FindingStack>>();
        foreach (var (key, stacks) in bySite)
        {
            result[key] = Ordered(stacks, key.Item1);
        }

        return result;
    }

    /// <summary>The stack that allocated block <paramref name="id"/> (live or not), when it was sampled.</summary>
    public IReadOnlyList<CallFrame>? AllocationStack(long id) =>
        _samples.TryGetValue(id, out StackSampled sample) && _stacks.TryGetValue(sample.StackId, out IReadOnlyList<CallFrame>? frames) ? AtSite(frames, sample.Site.Value) : null;

    /// <summary>Incidents grouped by their stack (each exact: count 1, its bytes), most bytes first; incidents without a stack are left out.</summary>
    public List<FindingStack> Group(IEnumerable<(IReadOnlyList<CallFrame>? Frames, long Bytes)> incidents) =>
        incidents
            .Where(i => i.Frames is not null)
            .GroupBy(i => i.Frames!, FramesComparer.Instance)
            .Select(g => new FindingStack(g.Key, g.LongCount(), g.Sum(i => i.Bytes), Estimated: false))
            .OrderByDescending(s => s.Bytes)
            .ThenByDescending(s => s.Count)
            .ToList();

    /// <summary>The stack of a misuse call, or none.</summary>
    public IReadOnlyList<CallFrame>? MisuseStack(MisuseKind kind, long id, int site) =>
        _misuse.TryGetValue((kind, id, site), out int stackId) && _stacks.TryGetValue(stackId, out IReadOnlyList<CallFrame>? frames) ? AtSite(frames, site) : null;

    /// <summary>
    /// The stack with its innermost frame on the site's own line when that frame is the site's call (same file, same
    /// member). The site's line is exact (<c>[CallerLineNumber]</c> of this very call); the frame's comes from the IL map
    /// and the call found in the IL (<see cref="CallSites"/>), which cannot tell two calls apart when the allocator's entry
    /// point was inlined into the caller (<c>p = Malloc(…); Free(p);</c> then reads the <c>Malloc</c> line). Frames
    /// further out keep theirs.
    /// </summary>
    private IReadOnlyList<CallFrame> AtSite(IReadOnlyList<CallFrame> frames, int siteId)
    {
        if (frames.Count == 0 || sites.Resolve(siteId) is not { IsDefined: true } site)
        {
            return frames;
        }

        CallFrame innermost = frames[0];
        bool siteCall = innermost.File is { } file
            && innermost.Line != site.Line
            && string.Equals(file, site.File, StringComparison.Ordinal)
            && MethodNames.IsMember(innermost.Method, site.Member);
        return siteCall ? [innermost with { Line = site.Line }, .. frames.Skip(1)] : frames;
    }

    private List<FindingStack> Ordered(Dictionary<int, Accumulator> stacks, int site) =>
        stacks
            .Select(s => new FindingStack(AtSite(_stacks[s.Key], site), (long)Math.Round(s.Value.Count), (long)Math.Round(s.Value.Bytes), s.Value.Estimated))
            .OrderByDescending(s => s.Bytes)
            .ThenByDescending(s => s.Count)
            .ThenBy(s => string.Join(";", s.Frames.Select(f => f.Method)), StringComparer.Ordinal)
            .ToList();

    /// <summary>Stacks are equal when their frames are (the same stack is a new list once its innermost line is set).</summary>
    private sealed class FramesComparer : IEqualityComparer<IReadOnlyList<CallFrame>>
    {
        public static readonly FramesComparer Instance = new();

        public bool Equals(IReadOnlyList<CallFrame>? x, IReadOnlyList<CallFrame>? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.SequenceEqual(y));

        public int GetHashCode(IReadOnlyList<CallFrame> frames)
        {
            var hash = new HashCode();
            foreach (CallFrame frame in frames)
            {
                hash.Add(frame);
            }

            return hash.ToHashCode();
        }
    }

    private struct Accumulator
    {
        public double Count;
        public double Bytes;
        public bool Estimated;
    }
}
