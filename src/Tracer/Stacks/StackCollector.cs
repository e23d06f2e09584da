using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Stacks;

/// <summary>
/// Gathers what a stack-walking stream carries — the code map, and each stack sample with its raw addresses (identical
/// stacks stored once) — while the stream is read, and hands the engine resolved stacks and samples at the end
/// (<see cref="FeedTo"/>), when every method the stacks name has been described (rundown comes last).
/// </summary>
internal sealed class StackCollector
{
    private readonly Dictionary<StackKey, int> _ids = new();
    private readonly List<ulong[]> _stacks = new();
    private readonly List<StackSampled> _samples = new();
    private readonly List<MisuseStacked> _misuse = new();

    /// <summary>Allocated bytes per (site, stack id), for <see cref="TopStack"/>; and the stacks it resolved completely.</summary>
    private readonly Dictionary<(int Site, int Stack), double> _live = new();
    private readonly Dictionary<int, IReadOnlyList<CallFrame>> _liveFrames = new();

    public CodeMap Code { get; } = new();

    /// <summary>Events the stream that fed this collector lost (EventPipe's sequence numbers).</summary>
    public long EventsLost { get; set; }

    /// <summary>The stream ended in the middle or could not be read.</summary>
    public bool Broken { get; set; }

    /// <summary>Samples that arrived without a stack (the session did not walk stacks).</summary>
    public long Unstacked { get; private set; }

    public long Samples => _samples.Count;

    public long Misuses => _misuse.Count;

    /// <summary>Frames no method described, after <see cref="FeedTo"/>.</summary>
    public long UnknownFrames { get; private set; }

    /// <summary>The id of a walked stack, storing it the first time; -1 for an empty one.</summary>
    public int Intern(ReadOnlySpan<ulong> addresses)
    {
        if (addresses.IsEmpty)
        {
            Unstacked++;
            return -1;
        }

        ulong[] copy = addresses.ToArray();
        var key = new StackKey(copy);
        lock (_ids)
        {
            if (!_ids.TryGetValue(key, out int id))
            {
                id = _stacks.Count;
                _stacks.Add(copy);
                _ids.Add(key, id);
            }

            return id;
        }
    }

    public void Sampled(in StackSampled sample)
    {
        _samples.Add(sample);
        if (sample.StackId >= 0 && sample.Operation is StackOperation.Allocate or StackOperation.Reallocate)
        {
            lock (_live)
            {
                // Allocated bytes per (site, stack), scaled as the final report scales them, for the live view's top stack.
                ref double bytes = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_live, (sample.Site.Value, sample.StackId), out _);
                bytes += SampleWeight.Of(sample.Reason, sample.Size, sample.SampleBytes) * sample.Size;
            }
        }
    }

    /// <summary>
    /// While the session runs: the stack that allocated the most bytes at <paramref name="site"/> so far, resolved with the
    /// methods described until now (a method compiled before the session reads <c>[unknown]</c> until the rundown at the
    /// end). Empty when the site has no sample yet. Safe to call from any thread.
    /// </summary>
    public IReadOnlyList<CallFrame> TopStack(int site)
    {
        int top = -1;
        double most = 0;
        lock (_live)
        {
            foreach (((int Site, int Stack) key, double bytes) in _live)
            {
                if (key.Site == site && bytes > most)
                {
                    (top, most) = (key.Stack, bytes);
                }
            }
        }

        if (top < 0)
        {
            return [];
        }

        lock (Code)
        {
            if (_liveFrames.TryGetValue(top, out IReadOnlyList<CallFrame>? known))
            {
                return known;
            }

            ulong[] addresses;
            lock (_ids)
            {
                addresses = _stacks[top];
            }

            Code.Seal();
            using var resolver = new StackResolver(Code);
            IReadOnlyList<CallFrame> frames = resolver.Resolve(addresses);
            if (resolver.UnknownFrames == 0)
            {
                _liveFrames[top] = frames; // complete: it will not read better later
            }

            return frames;
        }
    }

    public void MisuseStacked(in MisuseStacked misuse) => _misuse.Add(misuse);

    /// <summary>Resolves every stack and hands stacks, then samples, to <paramref name="sink"/>.</summary>
    public void FeedTo(ITraceRecordSink sink)
    {
        if (_samples.Count == 0 && _misuse.Count == 0)
        {
            return;
        }

        Code.Seal();
        using var resolver = new StackResolver(Code);
        // Different addresses can be the same calls (a method re-jitted at a higher tier, a loop's two return sites on
        // one line): stacks are defined once per resolved content, and every sample refers to that one.
        var canonical = new Dictionary<int, int>();
        var byContent = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (int id in _samples.Select(s => s.StackId).Concat(_misuse.Select(m => m.StackId)).Where(id => id >= 0).Distinct().Order())
        {
            IReadOnlyList<CallFrame> frames = resolver.Resolve(_stacks[id]);
            string content = string.Join('\n', frames.Select(f => f.ToString()));
            if (!byContent.TryGetValue(content, out int first))
            {
                byContent[content] = first = id;
                sink.On(new StackDefined(id, frames));
            }

            canonical[id] = first;
        }

        foreach (StackSampled sample in _samples)
        {
            sink.On(sample with { StackId = canonical.GetValueOrDefault(sample.StackId, -1) });
        }

        foreach (MisuseStacked misuse in _misuse)
        {
            sink.On(misuse with { StackId = canonical.GetValueOrDefault(misuse.StackId, -1) });
        }

        UnknownFrames = resolver.UnknownFrames;
    }

    /// <summary>Compares stacks by content.</summary>
    private readonly struct StackKey(ulong[] addresses) : IEquatable<StackKey>
    {
        private readonly ulong[] _addresses = addresses;

        public bool Equals(StackKey other) => _addresses.AsSpan().SequenceEqual(other._addresses);

        public override bool Equals(object? obj) => obj is StackKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_addresses.AsSpan()));
            return hash.ToHashCode();
        }
    }
}
