using System.Runtime.CompilerServices;
using LeakScope.Tracer.Events;
using LeakScope.Wire;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// The reconstructed heap: every live block by allocation id (never by address — addresses are reused),
/// the per-family and per-(site, family) accounts, and the bookkeeping that makes the stream's order
/// across threads irrelevant: frees seen before their allocation or rundown record wait as tombstones,
/// and rundown records are idempotent with allocations. Live blocks sit in a <see cref="LiveBlockTable"/>
/// (16 bytes each) that refers to their account by index, so a free needs nothing but the id.
/// </summary>
internal sealed class HeapModel
{
    private const int Families = WireFamily.Count;
    private const int MaxDenseSite = 1 << 20;

    private readonly LiveBlockTable _live = new();
    private readonly Dictionary<long, Tombstone> _tombstones = new();
    /// <summary>
    /// Frees read while a rundown may still report their block: while one is open, and before the first one has ended
    /// (every session's rundown comes before its first heartbeat, so a stream whose first heartbeat came without one
    /// has none to wait for). A rundown record of such an id is stale: the walk read the block before the free.
    /// </summary>
    private readonly HashSet<long> _freedDuringRundown = new();

    /// <summary>
    /// Blocks the rundown reported and that have ended since, whose allocation record has not been read. In the
    /// high-rate mode a block allocated after the session started can be walked before its allocation record leaves
    /// its thread's batch; that record, read after the free, is the same block's allocation, not a new live block.
    /// Holds at most one id per rundown block.
    /// </summary>
    private readonly HashSet<long> _endedRundownBlocks = new();
    private bool _heartbeatSeen;

    /// <summary>
    /// Frees remembered before any rundown or heartbeat, at most: a stream with neither (a recording without the
    /// Diagnostics keyword) would otherwise keep every free. Past it the model stops waiting for a rundown that has not
    /// come; such a stream has no heartbeat to confirm its account, so it is never complete anyway.
    /// </summary>
    private const int MaxFreesBeforeFirstRundown = 1 << 20;
    private bool _gaveUpWaitingForRundown;
    private readonly FamilyTally[] _families = new FamilyTally[Families];
    private SiteAccount?[] _sites = new SiteAccount?[64 * Families];
    private readonly List<SiteAccount> _siteList = new();
    private int _openRundowns;
    private bool _rundownDone;

    /// <summary>The ids of blocks (not from a rundown) live when the sites were first sampled; null before the first heartbeat.</summary>
    private HashSet<long>? _liveAtFirstHeartbeat;

    /// <summary>True when block <paramref name="id"/> was live at the first heartbeat, before any growth was measured.</summary>
    public bool LiveAtFirstHeartbeat(long id) => _liveAtFirstHeartbeat?.Contains(id) == true;

    public long RundownBlocks { get; private set; }

    /// <summary>
    /// What the last block record did to the live account by itself, as if every earlier operation had been read
    /// (a heartbeat's position is judged with these, HeartbeatPosition): an allocation that resolves a tombstone adds
    /// its block although the account does not change, and its free is then known to remove it
    /// (<see cref="ResolvedFreeId"/>, <see cref="ResolvedFreeDelta"/>). A free that became a tombstone is
    /// <see cref="UnsizedFreeId"/>: its size is known when the allocation arrives. Reset by <see cref="BeginRecord"/>;
    /// kept only while <see cref="TrackDeltas"/>.
    /// </summary>
    public LiveState RecordDelta { get; private set; }

    public long UnsizedFreeId { get; private set; }

    public long ResolvedFreeId { get; private set; }

    public LiveState ResolvedFreeDelta { get; private set; }

    /// <summary>The block record the resolved free was read at (see <see cref="RecordsRead"/>).</summary>
    public long ResolvedFreeReadAt { get; private set; }

    /// <summary>Block records read so far (counted by <see cref="BeginRecord"/>).</summary>
    public long RecordsRead { get; private set; }

    /// <summary>Whether a heartbeat position is waiting for <see cref="RecordDelta"/> and the resolved frees (set by the engine).</summary>
    public bool TrackDeltas { get; set; }

    public void BeginRecord()
    {
        RecordsRead++;
        if (TrackDeltas)
        {
            RecordDelta = default;
            UnsizedFreeId = 0;
            ResolvedFreeId = 0;
        }
    }

    public long ResolvedTombstones { get; private set; }

    /// <summary>Allocation records for ids that were already live (never expected: counted as an anomaly).</summary>
    public long DuplicateAllocations { get; private set; }

    /// <summary>Frees of ids that already had an unresolved free (never expected: counted as an anomaly).</summary>
    public long DuplicateFrees { get; private set; }

    public int LiveCount => _live.Count;

    /// <summary>Bytes the live-block table holds (for the tracer's memory-per-block measurement).</summary>
    public long LiveTableBytes => _live.MemoryBytes;

    public IReadOnlyList<SiteAccount> Sites => _siteList;

    public bool SawRundown => _rundownDone || _openRundowns > 0;

    /// <summary>A rundown has ended and none is open: every block live when the session began has been reported.</summary>
    public bool RundownComplete => _rundownDone && _openRundowns == 0;

    public FamilyCounts Account(HeapFamily family) => _families[Index(family)].ToCounts();

    /// <summary>The live blocks and bytes of both families, read on every block record (heartbeat matching).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Live(out long rawBlocks, out long rawBytes, out long poolBlocks, out long poolBytes)
    {
        ref FamilyTally raw = ref _families[(int)HeapFamily.Raw];
        ref FamilyTally pool = ref _families[(int)HeapFamily.Pool];
        (rawBlocks, rawBytes, poolBlocks, poolBytes) = (raw.LiveBlocks, raw.LiveBytes, pool.LiveBlocks, pool.LiveBytes);
    }

    /// <summary>The accounts of the tracked system families (native, aligned, hglobal, cotaskmem) that saw any block.</summary>
    public KeyValuePair<HeapFamily, FamilyCounts>[] TrackedAccounts()
    {
        var accounts = new List<KeyValuePair<HeapFamily, FamilyCounts>>();
        for (int f = WireFamily.Native; f < Families; f++)
        {
            FamilyCounts counts = _families[f].ToCounts();
            if (counts.Allocations != 0 || counts.Frees != 0 || counts.LiveBlocks != 0)
            {
                accounts.Add(new((HeapFamily)f, counts));
            }
        }

        return accounts.ToArray();
    }

    public FamilyCounts Total()
    {
        FamilyCounts total = default;
        foreach (FamilyTally tally in _families)
        {
            total += tally.ToCounts();
        }

        return total;
    }

    public void RundownStarted() => _openRundowns++;

    public void RundownStopped()
    {
        if (_openRundowns > 0)
        {
            _openRundowns--;
        }

        _rundownDone = true;
        if (_openRundowns == 0)
        {
            _freedDuringRundown.Clear();
        }
    }

    /// <summary>
    /// A heartbeat was read. The heartbeat thread runs a session's rundown before its first heartbeat, so a first
    /// heartbeat without any rundown means none will report the blocks freed so far.
    /// </summary>
    public void HeartbeatRead()
    {
        if (!_heartbeatSeen && !SawRundown)
        {
            _freedDuringRundown.Clear();
        }

        _heartbeatSeen = true;
    }

    /// <summary>A rundown may still report a block freed now (see <see cref="_freedDuringRundown"/>).</summary>
    private bool RundownMayFollow => _openRundowns > 0 || (!_rundownDone && !_heartbeatSeen && !_gaveUpWaitingForRundown);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Allocate(AllocationId id, long size, int site, HeapFamily family)
    {
        if (_tombstones.Count > 0 && _tombstones.Remove(id.Value, out Tombstone freed))
        {
            // Its free came first (another thread's buffer was flushed earlier): both halves are accounted now.
            ResolvedTombstones++;
            if (TrackDeltas)
            {
                RecordDelta += Delta(family, 1, size);
                (ResolvedFreeId, ResolvedFreeDelta, ResolvedFreeReadAt) = (id.Value, Delta(family, -1, -size), freed.ReadAt);
            }

            SiteAccount account = SiteFor(site, family);
            account.Allocations++;
            account.AllocatedBytes += size;
            account.Frees++;
            ref FamilyTally tally = ref _families[Index(family)];
            tally.Allocations++;
            tally.Frees++;
            return;
        }

        if (_endedRundownBlocks.Count > 0 && _endedRundownBlocks.Remove(id.Value))
        {
            // The rundown reported it live and its free (or realloc) has been read: this is the same block's late
            // allocation record. It counts as allocated, and stays ended.
            RundownBlocks--;
            SiteAccount ended = SiteFor(site, family);
            ended.Allocations++;
            ended.AllocatedBytes += size;
            _families[Index(family)].Allocations++;
            return;
        }

        SiteAccount live = SiteFor(site, family);
        if (_live.TryAdd(id.Value, size, live.Index, fromRundown: false))
        {
            if (TrackDeltas)
            {
                RecordDelta += Delta(family, 1, size);
            }

            AddLive(live, size, counted: true);
            return;
        }

        if (_live.TryClaimFromRundown(id.Value, out _, out int index))
        {
            // The rundown walked the block before its allocation record arrived (a thread's batch, or an event that
            // lost the race with the walk): one block, now known from its allocation, so it counts as allocated.
            RundownBlocks--;
            SiteAccount walked = _siteList[index];
            walked.Allocations++;
            walked.AllocatedBytes += size;
            _families[Index(walked.Family)].Allocations++;
            return;
        }

        DuplicateAllocations++;
    }

    /// <summary>Blocks allocated and freed inside one unpublished batch: they count as allocations and frees of their site, never as live.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fold(int site, HeapFamily family, long count, long bytes)
    {
        SiteAccount account = SiteFor(site, family);
        account.Allocations += count;
        account.AllocatedBytes += bytes;
        account.Frees += count;
        account.FoldedAllocations += count;
        ref FamilyTally tally = ref _families[Index(family)];
        tally.Allocations += count;
        tally.Frees += count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Rundown(AllocationId id, long size, int site, HeapFamily family)
    {
        if (_live.Contains(id.Value))
        {
            return; // Already known from its allocation record (or an earlier rundown): rundown is idempotent.
        }

        if (_tombstones.Count > 0 && _tombstones.Remove(id.Value, out Tombstone freed))
        {
            // Walked live by the rundown, freed before the rundown record was written. The free happened in the
            // session and counts as one, as it does when the records arrive in the other order.
            ResolvedTombstones++;
            if (TrackDeltas)
            {
                (ResolvedFreeId, ResolvedFreeDelta, ResolvedFreeReadAt) = (id.Value, Delta(family, -1, -size), freed.ReadAt);
            }

            RundownBlocks++;
            SiteFor(site, family).Frees++;
            _families[Index(family)].Frees++;
            _endedRundownBlocks.Add(id.Value);
            return;
        }

        if (_freedDuringRundown.Count > 0 && _freedDuringRundown.Contains(id.Value))
        {
            return; // Walked live, then allocated-and-freed records overtook the rundown record.
        }

        SiteAccount account = SiteFor(site, family);
        _live.TryAdd(id.Value, size, account.Index, fromRundown: true);
        RundownBlocks++;
        AddLive(account, size, counted: false);
    }

    /// <summary>Ends a block. Returns false when the id was not live (a tombstone now waits for it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Free(AllocationId id, long size, HeapFamily family, int freeSite)
    {
        if (RundownMayFollow)
        {
            _freedDuringRundown.Add(id.Value);
            if (_openRundowns == 0 && _freedDuringRundown.Count > MaxFreesBeforeFirstRundown)
            {
                _freedDuringRundown.Clear();
                _gaveUpWaitingForRundown = true;
            }
        }

        if (_live.Remove(id.Value, out long liveSize, out int index, out bool fromRundown))
        {
            if (fromRundown)
            {
                _endedRundownBlocks.Add(id.Value);
            }

            SiteAccount account = _siteList[index];
            if (TrackDeltas)
            {
                RecordDelta += Delta(account.Family, -1, -liveSize);
            }

            account.LiveBlocks--;
            account.LiveBytes -= liveSize;
            account.Frees++;
            ref FamilyTally tally = ref _families[Index(account.Family)];
            tally.LiveBlocks--;
            tally.LiveBytes -= liveSize;
            tally.Frees++;
            return true;
        }

        if (!_tombstones.TryAdd(id.Value, new Tombstone(size, family, freeSite, BeforeRundownDone: !_rundownDone || _openRundowns > 0, RecordsRead)))
        {
            DuplicateFrees++;
        }
        else
        {
            UnsizedFreeId = id.Value;
        }

        return false;
    }

    public bool TryGetLive(AllocationId id, out LiveBlock block)
    {
        if (_live.TryGet(id.Value, out long size, out int index, out bool fromRundown))
        {
            SiteAccount account = _siteList[index];
            block = new LiveBlock(size, account.Site, account.Family, fromRundown);
            return true;
        }

        block = default;
        return false;
    }

    /// <summary>Unresolved tombstones: frees of blocks never seen live.</summary>
    public (long Count, long Bytes, long BeforeRundownCount, long BeforeRundownBytes) Untracked()
    {
        long count = 0, bytes = 0, early = 0, earlyBytes = 0;
        foreach (Tombstone tomb in _tombstones.Values)
        {
            if (tomb.BeforeRundownDone)
            {
                early++;
                earlyBytes += tomb.Size;
            }
            else
            {
                count++;
                bytes += tomb.Size;
            }
        }

        return (count, bytes, early, earlyBytes);
    }

    public void SampleSites(bool firstHeartbeat)
    {
        if (firstHeartbeat && _liveAtFirstHeartbeat is null)
        {
            // A growth finding is measured from here: what is live now is where it started, not what it grew by. Rundown
            // blocks are left out (they have no stack sample); the rest is what the session saw allocated before its
            // first heartbeat, 100 ms at most.
            _liveAtFirstHeartbeat = _live.AllocatedIds();
        }

        foreach (SiteAccount account in _siteList)
        {
            account.Sample(firstHeartbeat);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddLive(SiteAccount account, long size, bool counted)
    {
        account.LiveBlocks++;
        account.LiveBytes += size;
        ref FamilyTally tally = ref _families[Index(account.Family)];
        tally.LiveBlocks++;
        tally.LiveBytes += size;
        if (counted)
        {
            account.Allocations++;
            account.AllocatedBytes += size;
            tally.Allocations++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SiteAccount SiteFor(int site, HeapFamily family)
    {
        if (site < 0 || site > MaxDenseSite)
        {
            return SiteForSparse(site, family);
        }

        int slot = (site * Families) + Index(family);
        if ((uint)slot < (uint)_sites.Length && _sites[slot] is { } known)
        {
            return known;
        }

        return AddDenseSite(slot, site, family);
    }

    private SiteAccount AddDenseSite(int slot, int site, HeapFamily family)
    {
        if (slot >= _sites.Length)
        {
            Array.Resize(ref _sites, Math.Max(_sites.Length * 2, slot + Families));
        }

        var account = new SiteAccount(site, family, _siteList.Count);
        _sites[slot] = account;
        _siteList.Add(account);
        return account;
    }

    private readonly Dictionary<(int, HeapFamily), SiteAccount> _sparse = new();

    /// <summary>Absurdly large site ids (a corrupt or foreign stream) go to a dictionary instead of growing the array.</summary>
    private SiteAccount SiteForSparse(int site, HeapFamily family)
    {
        if (!_sparse.TryGetValue((site, family), out SiteAccount? account))
        {
            account = new SiteAccount(site, family, _siteList.Count);
            _sparse.Add((site, family), account);
            _siteList.Add(account);
        }

        return account;
    }

    private static LiveState Delta(HeapFamily family, long blocks, long bytes) =>
        Index(family) == (int)HeapFamily.Raw ? new LiveState(blocks, bytes, 0, 0) : Index(family) == (int)HeapFamily.Pool ? new LiveState(0, 0, blocks, bytes) : default;

    private static int Index(HeapFamily family) => (uint)family < Families ? (int)family : 0;

    private struct FamilyTally
    {
        public long LiveBlocks;
        public long LiveBytes;
        public long Allocations;
        public long Frees;

        public readonly FamilyCounts ToCounts() => new(LiveBlocks, LiveBytes, Allocations, Frees);
    }
}
