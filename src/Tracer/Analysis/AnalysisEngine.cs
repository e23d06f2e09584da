using System.Runtime.CompilerServices;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// The pure analysis engine: typed records in (<see cref="ITraceRecordSink"/>), a judged
/// <see cref="AnalysisResult"/> out (<see cref="Finish"/>). No TraceEvent, files, console or clock: a live
/// session, a recorded file and a test's synthetic stream all drive it the same way. Not thread-safe: one
/// stream, one thread.
/// </summary>
public sealed partial class AnalysisEngine : ITraceRecordSink
{
    private readonly AnalysisOptions _options;
    private readonly HeapModel _heap = new();
    private readonly SiteTable _sites;
    private readonly MisuseLedger _misuse = new();
    private readonly OwnershipTracker _ownership = new();
    private readonly List<HeartbeatSample> _heartbeats = new();
    private readonly StackLedger _stacks;
    private long _records;
    private HeartbeatSample? _final;

    /// <summary>Alloc/free pairs per family the target counted but never published (see <see cref="ReconcileLifetimeCounts"/>).</summary>
    private Dictionary<HeapFamily, long> _unpublishedPairs = [];
    private bool _targetBatches;
    private ReachabilitySnapshot? _reachability;

    /// <summary>The live account after each of the last <see cref="InFlightWindow"/> block records, and a heartbeat still looking for its match.</summary>
    private readonly LiveState[] _recent = new LiveState[InFlightWindow];
    private long _blockRecords = 1; // _recent[0] is the empty heap before any record
    private int _pendingHeartbeat = -1;
    private int _pendingLeft;

    /// <summary>High-rate streams: the writer whose batch is being read (0 outside batches), the account before the last block record, and the positions of the last heartbeats.</summary>
    private long _writer;
    private bool _sawBatches;

    /// <summary>The batch being read is some heartbeat's first of its writer: its block records are part of that heartbeat's position.</summary>
    private bool _collecting;
    private readonly List<HeartbeatPosition> _positions = new();

    /// <summary>How many block records before or after a heartbeat may still be in flight when the target snapshots its counters.</summary>
    public const int InFlightWindow = 64;

    /// <summary>An engine with nothing seen yet, judging by <paramref name="options"/> (null: <see cref="AnalysisOptions.Default"/>).</summary>
    public AnalysisEngine(AnalysisOptions? options = null)
    {
        _options = options ?? AnalysisOptions.Default;
        _sites = new SiteTable();
        _stacks = new StackLedger(_sites);
    }

    /// <summary>Records consumed so far.</summary>
    public long Records => _records;

    /// <summary>The tracer's live account of one family right now.</summary>
    public FamilyCounts Account(HeapFamily family) => _heap.Account(family);

    /// <summary>A heartbeat said the target publishes in batches (the high-rate mode).</summary>
    public bool TargetBatches => _targetBatches;

    /// <summary>Heartbeats seen so far (a live view can watch this grow).</summary>
    public int HeartbeatCount => _heartbeats.Count;

    /// <inheritdoc/>
    public void On(in SiteDefined record)
    {
        OutsideBatch();
        _sites.Define(record);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void On(in BlockAllocated record)
    {
        _heap.BeginRecord();
        _heap.Allocate(record.Id, record.Size, record.Site.Value, record.Family);
        if (_ownership.MightBeStorage(record.Id.Value))
        {
            _ownership.StorageSeen(record.Id.Value, record.Family, record.Size);
        }

        AfterBlockRecord();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void On(in BlockFreed record)
    {
        _heap.BeginRecord();
        _heap.Free(record.Id, record.Size, record.Family, record.FreeSite.Value);
        AfterBlockRecord();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void On(in BlockReallocated record)
    {
        _heap.BeginRecord();
        _heap.Free(record.OldId, record.OldSize, record.OldFamily, record.Site.Value);
        _heap.Allocate(record.NewId, record.NewSize, record.Site.Value, record.NewFamily);
        _ownership.StorageMoved(record.OldId, record.NewId);
        if (_ownership.MightBeStorage(record.NewId.Value))
        {
            _ownership.StorageSeen(record.NewId.Value, record.NewFamily, record.NewSize);
        }

        AfterBlockRecord();
    }

    /// <summary>Detach flushes announced (token → the heartbeat that follows) and those whose heartbeat has been read.</summary>
    private readonly Dictionary<long, long> _detachAnnounced = new();
    private readonly Dictionary<long, long> _detachCut = new();

    /// <inheritdoc/>
    public void On(in DetachFlushed record)
    {
        OutsideBatch();
        _detachAnnounced[record.Token] = record.HeartbeatSequence;
    }

    /// <summary>
    /// True once the target answered the flush request <paramref name="token"/> and the heartbeat it named has been read:
    /// the account at that heartbeat is the account at the detach (<paramref name="heartbeatSequence"/>).
    /// </summary>
    public bool DetachConfirmed(long token, out long heartbeatSequence) => _detachCut.TryGetValue(token, out heartbeatSequence);

    /// <inheritdoc/>
    public void On(in BatchStarted record)
    {
        _writer = record.Writer;
        _sawBatches = true;
        _collecting = false;
        foreach (HeartbeatPosition position in _positions)
        {
            _collecting |= position.BatchStarted(record.Writer);
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void On(in AllocationsFolded record)
    {
        _records++;
        _heap.Fold(record.Site.Value, record.Family, record.Count, record.Bytes);
    }

    /// <inheritdoc/>
    public void On(in MisuseReported record)
    {
        OutsideBatch();
        if (_misuse.Record(record))
        {
            return;
        }

        if (record.Kind == MisuseKind.ResizeWithViews)
        {
            _ownership.ResizeMisuse(record, _heap);
        }
        else
        {
            _ownership.DisposeMisuse(record, _heap);
        }
    }

    /// <inheritdoc/>
    public void On(in RundownStarted record)
    {
        OutsideBatch();
        _heap.RundownStarted();
    }

    /// <inheritdoc/>
    public void On(in RundownBlock record)
    {
        EndBatch();
        _heap.BeginRecord();
        _heap.Rundown(record.Id, record.Size, record.Site.Value, record.Family);
        if (_ownership.MightBeStorage(record.Id.Value))
        {
            _ownership.StorageSeen(record.Id.Value, record.Family, record.Size);
        }

        AfterBlockRecord();
    }

    /// <summary>A rundown ended and none is open (<c>leakscope snapshot</c> waits for it).</summary>
    internal bool RundownComplete => _heap.RundownComplete;

    /// <inheritdoc/>
    public void On(in RundownStopped record)
    {
        OutsideBatch();
        _heap.RundownStopped();
    }

    /// <inheritdoc/>
    public void On(in Heartbeat record)
    {
        OutsideBatch();
        _targetBatches |= (record.Flags & HeartbeatFlags.Batched) != 0;
        _heap.HeartbeatRead();
        bool first = _heartbeats.Count == 0;
        var sample = new HeartbeatSample(
            record.Sequence,
            record.Raw,
            record.Pool,
            _heap.Account(HeapFamily.Raw),
            _heap.Account(HeapFamily.Pool),
            (record.Flags & HeartbeatFlags.Final) != 0,
            _records)
        {
            TargetTracked = record.Tracked,
            TracerTracked = AccountsOf(record.Tracked),
        };
        _pendingHeartbeat = -1;
        var target = new LiveState(record.Raw.LiveBlocks, record.Raw.LiveBytes, record.Pool.LiveBlocks, record.Pool.LiveBytes);
        if ((_sawBatches || _targetBatches) && !sample.Final)
        {
            // High-rate: compared at the heartbeat's own position (HeartbeatPosition), judged when the stream is.
            _heap.Live(out long rawBlocks, out long rawBytes, out long poolBlocks, out long poolBytes);
            if (_positions.Count == RecentHeartbeatsChecked)
            {
                _positions.RemoveAt(0);
            }

            _heap.TrackDeltas = true;
            _positions.Add(new HeartbeatPosition(_heartbeats.Count, target, new LiveState(rawBlocks, rawBytes, poolBlocks, poolBytes), _heap.RecordsRead));
        }
        else if (!sample.Matches && !sample.Final)
        {
            // Per-operation events: an operation in flight on another thread can straddle the snapshot, counted by the
            // target before the heartbeat but written after it, or the reverse. Look back, then ahead.
            long available = Math.Min(_blockRecords, InFlightWindow);
            for (long i = 0; i < available; i++)
            {
                if (_recent[(int)((_blockRecords - 1 - i) % InFlightWindow)] == target)
                {
                    sample = sample with { MatchedInFlight = true };
                    break;
                }
            }

            if (!sample.Matches)
            {
                _pendingHeartbeat = _heartbeats.Count;
                _pendingLeft = InFlightWindow;
            }
        }

        _heartbeats.Add(sample);
        if (_detachAnnounced.Count > 0)
        {
            foreach ((long token, long sequence) in _detachAnnounced)
            {
                if (sequence == record.Sequence)
                {
                    _detachCut[token] = sequence;
                }
            }
        }

        if (sample.Final && _final is null)
        {
            _final = sample;
        }

        _heap.SampleSites(first);
    }

    /// <inheritdoc/>
    public void On(in ViewAcquired record)
    {
        OutsideBatch();
        _ownership.ViewAcquired(record);
    }

    /// <inheritdoc/>
    public void On(in ViewReleased record)
    {
        OutsideBatch();
        _ownership.ViewReleased(record);
    }

    /// <inheritdoc/>
    public void On(in ResizeBlocked record)
    {
        OutsideBatch();
        _ownership.ResizeBlocked(record, _heap);
    }

    /// <inheritdoc/>
    public void On(in ResizeBlockedView record)
    {
        OutsideBatch();
        _ownership.ResizeBlockedView(record);
    }

    /// <inheritdoc/>
    public void On(in ViewLeaked record)
    {
        OutsideBatch();
        _ownership.ViewLeaked(record, _heap);
    }

    /// <inheritdoc/>
    public void On(in OwnerCreated record)
    {
        OutsideBatch();
        _ownership.OwnerCreated(record, _heap);
    }

    /// <inheritdoc/>
    public void On(in OwnerDisposed record)
    {
        OutsideBatch();
        _ownership.OwnerDisposed(record);
    }

    /// <inheritdoc/>
    public void On(in OwnerFinalized record)
    {
        OutsideBatch();
        _ownership.OwnerFinalized(record);
    }

    /// <inheritdoc/>
    public void On(in StackDefined record) => _stacks.Define(record);

    /// <inheritdoc/>
    public void On(in StackSampled record) => _stacks.Sampled(record);

    /// <inheritdoc/>
    public void On(in MisuseStacked record) => _stacks.MisuseStacked(record);

    /// <summary>Stack samples received so far.</summary>
    public long StackSamples => _stacks.Samples;

    /// <summary>
    /// A heap snapshot's verdicts (<c>--reachability</c>, docs/reachability.md): from now on <see cref="Finish"/> splits
    /// the blocks still live by them — <see cref="FindingKind.Leak"/> with its <see cref="Finding.Reachability"/>, or
    /// <see cref="FindingKind.Retained"/> with its holders. Blocks the snapshot did not see stay plain leaks.
    /// </summary>
    public void ApplyReachability(ReachabilitySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _reachability = snapshot;
    }

    /// <summary>"File.cs:12" for a site id the stream defined (names native blocks in holder paths).</summary>
    internal string SiteText(int site)
    {
        SiteInfo info = _sites.Resolve(site);
        return $"{Path.GetFileName(info.File)}:{info.Line}";
    }

    /// <summary>Judges the stream so far. May be called more than once (the engine's state is not changed).</summary>
    public AnalysisResult Finish(StreamSummary stream)
    {
        Completeness completeness = JudgeCompleteness(stream);
        bool uncertain = !completeness.Complete;
        var findings = new List<Finding>();
        findings.AddRange(LeakFindings(uncertain));
        findings.AddRange(GrowthFindings(uncertain));
        findings.AddRange(_misuse.Findings(_sites, _stacks.Samples > 0 || _stacks.Stacks > 0 ? _stacks : null));
        findings.AddRange(_ownership.Findings(_sites, _heap, uncertain, _stacks.Samples > 0 || _stacks.Stacks > 0 ? _stacks : null));
        findings.Sort(FindingOrder.Instance);

        var untracked = _heap.Untracked();
        int undefinedSites = _heap.Sites.Count(s => !_sites.IsDefined(s.Site));
        var statistics = new AnalysisStatistics(
            _records,
            _sites.Count,
            _heap.RundownBlocks,
            _heartbeats.Count,
            _misuse.Events,
            _misuse.UnknownKinds,
            untracked.BeforeRundownCount,
            untracked.BeforeRundownBytes,
            _heap.ResolvedTombstones,
            _heap.DuplicateAllocations,
            _heap.DuplicateFrees,
            undefinedSites);

        return new AnalysisResult(
            findings,
            WithUnpublished(HeapFamily.Raw, _heap.Account(HeapFamily.Raw)),
            WithUnpublished(HeapFamily.Pool, _heap.Account(HeapFamily.Pool)),
            completeness,
            statistics,
            JudgedHeartbeats(),
            stream.End)
        {
            Tracked = TrackedAccountsWithUnpublished(),
            Reachability = _reachability,
        };
    }

    private IEnumerable<Finding> LeakFindings(bool uncertain) =>
        _reachability is { } snapshot ? JudgedLeakFindings(snapshot, uncertain) : PlainLeakFindings(uncertain);

    /// <summary>Live blocks split by (site, family, kind, reachability) as the snapshot judged them; the rest stay plain leaks.</summary>
    private IEnumerable<Finding> JudgedLeakFindings(ReachabilitySnapshot snapshot, bool uncertain)
    {
        var groups = new Dictionary<(int Site, HeapFamily Family, LeakReachability? Reachability), (long Count, long Bytes, Dictionary<string, Holder> Holders)>();
        var covered = new Dictionary<(int Site, HeapFamily Family), (long Count, long Bytes)>();
        var seen = new HashSet<long>();
        foreach (BlockVerdict verdict in snapshot.Verdicts)
        {
            if (!seen.Add(verdict.Id.Value) || !_heap.TryGetLive(verdict.Id, out LiveBlock block))
            {
                continue;
            }

            var key = (block.Site, block.Family, verdict.Reachability);
            if (!groups.TryGetValue(key, out var group))
            {
                group = (0, 0, new Dictionary<string, Holder>(StringComparer.Ordinal));
            }

            group = (group.Count + 1, group.Bytes + block.Size, group.Holders);
            if (verdict.Reachability is null && verdict.Path is { } path)
            {
                string pathKey = string.Join('\u0001', path);
                group.Holders[pathKey] = group.Holders.TryGetValue(pathKey, out Holder? holder)
                    ? holder with { Count = holder.Count + 1, Bytes = holder.Bytes + block.Size }
                    : new Holder(path, 1, block.Size);
            }

            groups[key] = group;
            covered.TryGetValue((block.Site, block.Family), out var c);
            covered[(block.Site, block.Family)] = (c.Count + 1, c.Bytes + block.Size);
        }

        foreach (var ((site, family, reachability), group) in groups)
        {
            yield return new Finding(reachability is null ? FindingKind.Retained : FindingKind.Leak, family, group.Count, group.Bytes, _sites.Resolve(site))
            {
                Reachability = reachability,
                Holders = group.Holders.Values.OrderByDescending(h => h.Bytes).ThenByDescending(h => h.Count).ThenBy(h => string.Join('/', h.Path), StringComparer.Ordinal).ToArray(),
                Uncertain = uncertain,
            };
        }

        foreach (SiteAccount account in _heap.Sites)
        {
            covered.TryGetValue((account.Site, account.Family), out var c);
            if (account.LiveBlocks - c.Count > 0)
            {
                yield return new Finding(FindingKind.Leak, account.Family, account.LiveBlocks - c.Count, account.LiveBytes - c.Bytes, _sites.Resolve(account.Site))
                {
                    Uncertain = uncertain,
                };
            }
        }
    }

    private IEnumerable<Finding> PlainLeakFindings(bool uncertain)
    {
        var stacks = _stacks.Samples > 0 ? _stacks.LeakStacks(_heap) : null;
        foreach (SiteAccount account in _heap.Sites)
        {
            if (account.LiveBlocks > 0)
            {
                List<FindingStack>? leakStacks = null;
                stacks?.TryGetValue((account.Site, account.Family), out leakStacks);
                yield return new Finding(FindingKind.Leak, account.Family, account.LiveBlocks, account.LiveBytes, _sites.Resolve(account.Site))
                {
                    Uncertain = uncertain,
                    Stacks = leakStacks ?? [],
                };
            }
        }
    }

    private IEnumerable<Finding> GrowthFindings(bool uncertain)
    {
        Dictionary<(int Site, HeapFamily Family), List<FindingStack>>? stacks = null;
        foreach (SiteAccount account in _heap.Sites)
        {
            if (account.Growth is { } evidence && _options.Growth.IsGrowth(evidence))
            {
                stacks ??= _stacks.Samples > 0 ? _stacks.GrowthStacks(_heap) : [];
                stacks.TryGetValue((account.Site, account.Family), out List<FindingStack>? growthStacks);
                yield return new Finding(FindingKind.Growth, account.Family, account.LiveBlocks, evidence.LastBytes - evidence.FirstBytes, _sites.Resolve(account.Site))
                {
                    // The blocks it grew by: allocated after the first heartbeat (where growth is measured from) and still live.
                    Stacks = growthStacks ?? [],
                    Growth = evidence,
                    Uncertain = uncertain,
                };
            }
        }
    }

    /// <summary>The tracer's account of each family a heartbeat carries counts of (the tracked families).</summary>
    /// <summary>A family's account with the pairs it never published counted in (allocations and frees; nothing live).</summary>
    private FamilyCounts WithUnpublished(HeapFamily family, FamilyCounts account) =>
        _unpublishedPairs.TryGetValue(family, out long pairs) ? account with { Allocations = account.Allocations + pairs, Frees = account.Frees + pairs } : account;

    private KeyValuePair<HeapFamily, FamilyCounts>[] TrackedAccountsWithUnpublished()
    {
        var accounts = _heap.TrackedAccounts().ToDictionary(a => a.Key, a => a.Value);
        foreach (HeapFamily family in _unpublishedPairs.Keys.Where(f => f is not (HeapFamily.Raw or HeapFamily.Pool)))
        {
            accounts[family] = WithUnpublished(family, accounts.GetValueOrDefault(family));
        }

        return accounts.OrderBy(a => a.Key).ToArray();
    }

    private KeyValuePair<HeapFamily, FamilyCounts>[] AccountsOf(IReadOnlyList<KeyValuePair<HeapFamily, FamilyCounts>> target) =>
        target.Select(t => new KeyValuePair<HeapFamily, FamilyCounts>(t.Key, _heap.Account(t.Key))).ToArray();

    /// <summary>After a block record: count it, remember the live account, and let a pending heartbeat look for its match.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AfterBlockRecord()
    {
        _records++;
        _heap.Live(out long rawBlocks, out long rawBytes, out long poolBlocks, out long poolBytes);
        var state = new LiveState(rawBlocks, rawBytes, poolBlocks, poolBytes);
        if (_collecting)
        {
            foreach (HeartbeatPosition position in _positions)
            {
                position.BlockRecord(_heap.RecordDelta, _heap.UnsizedFreeId);
            }
        }

        if (_heap.TrackDeltas && _heap.ResolvedFreeId != 0)
        {
            foreach (HeartbeatPosition position in _positions)
            {
                position.FreeResolved(_heap.ResolvedFreeId, _heap.ResolvedFreeDelta, _heap.ResolvedFreeReadAt);
            }
        }

        _recent[(int)(_blockRecords & (InFlightWindow - 1))] = state;
        _blockRecords++;
        if (_pendingHeartbeat >= 0)
        {
            HeartbeatSample pending = _heartbeats[_pendingHeartbeat];
            if (state == new LiveState(pending.TargetRaw.LiveBlocks, pending.TargetRaw.LiveBytes, pending.TargetPool.LiveBlocks, pending.TargetPool.LiveBytes))
            {
                _heartbeats[_pendingHeartbeat] = pending with { MatchedInFlight = true };
                _pendingHeartbeat = -1;
            }
            else if (--_pendingLeft == 0)
            {
                _pendingHeartbeat = -1;
            }
        }
    }

    /// <summary>A record that is not a block record of a batch: counts it, and ends the batch being read.</summary>
    private void OutsideBatch()
    {
        _records++;
        EndBatch();
    }

    private void EndBatch()
    {
        _collecting = false;
        if (_writer != 0)
        {
            _writer = 0;
            foreach (HeartbeatPosition position in _positions)
            {
                position.BatchEnded();
            }
        }
    }
}
