namespace LeakScope.Tracer.Analysis;

/// <summary>
/// Where a heartbeat of a high-rate stream stands in each writer's records, and whether the target's counts equal the
/// account there (docs/analysis.md, "a heartbeat's position"). The heartbeat thread publishes every writer's buffer,
/// then reads the counters, then writes the heartbeat, all on one thread: every record published before the heartbeat
/// is read before it. Operations counted between a writer's publish and the snapshot are still in that writer's buffer:
/// they are a prefix of the writer's first batch read after the heartbeat. So the heartbeat's position is the point it
/// is read at, moved forward in each writer by some prefix (possibly empty) of that writer's next batch — and nothing
/// else: no look-back, no other records.
/// </summary>
internal sealed class HeartbeatPosition(int heartbeatIndex, LiveState target, LiveState atRead, long readAt)
{
    /// <summary>Combinations of prefixes tried before giving up (the account is then not verified by this heartbeat).</summary>
    public const int MaxCombinations = 1 << 16;

    /// <summary>Per writer, what each block record of its first batch read after the heartbeat does by itself (HeapModel.RecordDelta).</summary>
    private readonly Dictionary<long, List<LiveState>> _next = new();
    private List<LiveState>? _open;

    /// <summary>Frees in those batches read before their block's allocation: their size comes when it does.</summary>
    private readonly Dictionary<long, (List<LiveState> Batch, int Index)> _unsized = new();

    /// <summary>The account at the read point, corrected by frees read before it whose allocation came after.</summary>
    private LiveState _atRead = atRead;

    public int HeartbeatIndex { get; } = heartbeatIndex;

    public LiveState Target { get; } = target;

    /// <summary>A batch of <paramref name="writer"/> begins. True when it is that writer's first after the heartbeat (its records count).</summary>
    public bool BatchStarted(long writer)
    {
        _open = null;
        if (!_next.ContainsKey(writer))
        {
            _open = new List<LiveState>();
            _next.Add(writer, _open);
        }

        return _open is not null;
    }

    /// <summary>A block record of the batch being read: what it does by itself, and the id of its free if that waits for its allocation.</summary>
    public void BlockRecord(LiveState delta, long unsizedFree)
    {
        if (_open is not null)
        {
            if (unsizedFree != 0)
            {
                _unsized[unsizedFree] = (_open, _open.Count);
            }

            _open.Add(delta);
        }
    }

    /// <summary>
    /// The allocation of a free read earlier arrived: that free removes <paramref name="delta"/>. A free read before the
    /// heartbeat belongs to the account at its read point (another writer, publishing later, had already freed a block
    /// whose allocation is in this writer's next batch); one read after it, to the batch it came in.
    /// </summary>
    public void FreeResolved(long id, LiveState delta, long freeReadAt)
    {
        if (freeReadAt <= readAt)
        {
            _atRead += delta;
        }
        else if (_unsized.Remove(id, out (List<LiveState> Batch, int Index) at))
        {
            at.Batch[at.Index] += delta;
        }
    }

    /// <summary>A record outside any batch: the batch being read has ended.</summary>
    public void BatchEnded() => _open = null;

    /// <summary>
    /// True when some choice of one prefix per writer's next batch brings the account at the heartbeat's read point to
    /// the target's counts. False when none does, or when there are too many combinations to try.
    /// </summary>
    public bool Verified()
    {
        LiveState missing = Target - _atRead;
        if (missing == default)
        {
            return true;
        }

        var reachable = new HashSet<LiveState> { default };
        foreach (List<LiveState> records in _next.Values)
        {
            if (records.Count == 0)
            {
                continue;
            }

            var prefixes = new LiveState[records.Count];
            LiveState running = default;
            for (int i = 0; i < records.Count; i++)
            {
                running += records[i];
                prefixes[i] = running;
            }

            var next = new HashSet<LiveState>(reachable);
            foreach (LiveState sum in reachable)
            {
                foreach (LiveState prefix in prefixes)
                {
                    next.Add(sum + prefix);
                    if (next.Count > MaxCombinations)
                    {
                        return false;
                    }
                }
            }

            reachable = next;
        }

        return reachable.Contains(missing);
    }
}
