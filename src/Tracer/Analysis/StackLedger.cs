using LeakScope.Tracer.Events;
using LeakScope.Tracer.Stacks;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// The stacks a trace carried: resolved stacks by id, the stack sample of each sampled allocation (by allocation id), and
/// the stacks of misuse calls. A finding's stacks come from its own blocks: a <c>leak</c> from the samples of the blocks
/// still live at the end, weighted by <see cref="SampleWeight"/>; a misuse from the offending call.
/// </summary>
internal sealed class StackLedger(SiteTable sites)
{
    private readonly Dictionary<int, IReadOnlyList<CallFrame>> _stacks = new();
    private readonly Dictionary<long, StackSampled> _samples = new();
    private readonly Dictionary<(MisuseKind Kind, long Id, int Site), int> _misuse = new();

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
        _samples[record.Id.Value] = record;
    }

    public void MisuseStacked(in MisuseStacked record)
    {
        if (record.StackId >= 0)
        {
            _misuse.TryAdd((record.Kind, record.Id.Value, record.Site.Value), record.StackId);
        }
    }

    /// <summary>The stacks of leaked blocks, per (site, family) account: every sample whose block is still live.</summary>
    public Dictionary<(int Site, HeapFamily Family), List<FindingStack>> LeakStacks(HeapModel heap)
    {
        var bySite = new Dictionary<(int, HeapFamily), Dictionary<int, Accumulator>>();
        foreach (StackSampled sample in _samples.Values)
        {
            if (!heap.TryGetLive(sample.Id, out LiveBlock block) || !_stacks.ContainsKey(sample.StackId))
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
            .GroupBy(i => i.Frames!)
            .Select(g => new FindingStack(g.Key, g.LongCount(), g.Sum(i => i.Bytes), Estimated: false))
            .OrderByDescending(s => s.Bytes)
            .ThenByDescending(s => s.Count)
            .ToList();

    /// <summary>The stack of a misuse call, or none.</summary>
    public IReadOnlyList<CallFrame>? MisuseStack(MisuseKind kind, long id, int site) =>
        _misuse.TryGetValue((kind, id, site), out int stackId) && _stacks.TryGetValue(stackId, out IReadOnlyList<CallFrame>? frames) ? AtSite(frames, site) : null;

    /// <summary>
    /// The stack with its innermost frame on the site's own line when that frame is the site's call (same file, same
    /// member). The site's line is exact (<c>[CallerLineNumber]</c> of this very call); the frame's comes from the IL map,
    /// which names the statement before when the call's arguments begin with a value the previous statement left (seen in
    /// Tier-0 code: <c>Free(p)</c> right after <c>p = Malloc(…)</c> read as the <c>Malloc</c> line). Frames further out keep theirs.
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

    private struct Accumulator
    {
        public double Count;
        public double Bytes;
        public bool Estimated;
    }
}
