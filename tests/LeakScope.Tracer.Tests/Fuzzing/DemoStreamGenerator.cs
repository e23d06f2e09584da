using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// Generates valid, MisuseDemo-like streams from a seeded model of a multi-threaded program: allocations, frees,
/// reallocs and callocs in both families, frees handed across threads, mismatched / double / invalid frees and
/// reallocs of freed blocks (under the Report policy), buffers with views, blocked resizes, disposal with views,
/// leaked views and finalized owners; optionally a late attach with a rundown. Each thread's records stay in
/// order; the threads' buffers are flushed in random chunks, as EventPipe interleaves them. Heartbeats carry the
/// model's true counts. The stream ends after every buffer was flushed, with a final or periodic heartbeat.
/// </summary>
internal sealed class DemoStreamGenerator
{
    private static readonly long[] Sizes = [0, 1, 8, 16, 24, 48, 64, 80, 100, 200, 256, 512, 513, 1000, 4096, 65536];

    // Sites 1–8 allocate, 9–12 free, 13–14 realloc, 15–16 misuse calls, 17–18 create owners, 19–21 acquire views,
    // 22 resizes raw buffers and 23 pool buffers (a resize finding carries one family: that of the first buffer blocked at its site).
    private static readonly int[] AllocSites = [1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly int[] FreeSites = [9, 10, 11, 12];
    private static readonly int[] ReallocSites = [13, 14];
    private static readonly int[] MisuseSites = [15, 16];
    private static readonly int[] OwnerSites = [17, 18];
    private static readonly int[] ViewSites = [19, 20, 21];

    private readonly Random _rng;
    private readonly int _threads;
    private readonly List<WireEvent>[] _queues;
    private readonly List<WireEvent> _stream = new();
    private readonly Dictionary<long, Block> _live = new();
    private readonly List<long> _liveIds = new();
    private readonly List<Block> _freed = new();
    private readonly Dictionary<long, Owner> _owners = new();
    private readonly HashSet<int> _defined = new();
    private readonly Dictionary<int, (string, int, string)> _siteTable = new();
    private readonly Dictionary<string, (long Count, long Bytes)> _expected = new();
    private readonly FamilyCounts[] _session = new FamilyCounts[3];
    private readonly FamilyCounts[] _before = new FamilyCounts[3];
    private long _nextId = 1;
    private long _heartbeats;
    private long _misuses;

    private DemoStreamGenerator(Random rng)
    {
        _rng = rng;
        _threads = rng.Next(1, 5);
        _queues = Enumerable.Range(0, _threads + 1).Select(_ => new List<WireEvent>()).ToArray();
    }

    private int HeartbeatThread => _threads;

    public static GeneratedStream Generate(Random rng, int operations) => new DemoStreamGenerator(rng).Run(operations);

    private GeneratedStream Run(int operations)
    {
        bool attached = _rng.Next(3) == 0;
        if (attached)
        {
            Rundown();
        }

        for (int op = 0; op < operations; op++)
        {
            int thread = _rng.Next(_threads);
            Step(thread);
            if (_rng.Next(25) == 0)
            {
                Heartbeat(final: false);
            }

            if (_rng.Next(3) == 0)
            {
                FlushChunk();
            }
        }

        // Release every view still held and dispose what was disposed with views, so that nothing is outstanding at the end.
        foreach (Owner owner in _owners.Values.ToList())
        {
            foreach (long view in owner.Views.ToList())
            {
                ReleaseView(owner, view);
            }
        }

        while (_queues.Any(q => q.Count > 0))
        {
            FlushChunk();
        }

        // The end: a final heartbeat (Flags & 1), or the last periodic one, or both; all after every buffer.
        int ending = _rng.Next(3);
        if (ending != 1)
        {
            Heartbeat(final: false);
        }

        if (ending != 0)
        {
            Heartbeat(final: true);
        }

        FlushAll(HeartbeatThread);
        return new GeneratedStream(
            _stream,
            _session[(int)HeapFamily.Raw] with { LiveBlocks = Live(HeapFamily.Raw).Blocks, LiveBytes = Live(HeapFamily.Raw).Bytes },
            _session[(int)HeapFamily.Pool] with { LiveBlocks = Live(HeapFamily.Pool).Blocks, LiveBytes = Live(HeapFamily.Pool).Bytes },
            ExpectedFindings(),
            _siteTable,
            attached);
    }

    private void Step(int thread)
    {
        int roll = _rng.Next(100);
        switch (roll)
        {
            case < 38:
                Allocate(thread, Pick(AllocSites), PickFamily(), Pick(Sizes));
                break;
            case < 65:
                if (TakeLive(out Block free))
                {
                    Free(thread, free, Pick(FreeSites));
                }

                break;
            case < 72:
                if (TakeLive(out Block old))
                {
                    Realloc(thread, old);
                }

                break;
            case < 75:
                if (TakeLive(out Block mismatched))
                {
                    MismatchedFree(thread, mismatched);
                }

                break;
            case < 78:
                DoubleFree(thread, realloc: _rng.Next(4) == 0);
                break;
            case < 80:
                InvalidFree(thread, realloc: _rng.Next(4) == 0);
                break;
            default:
                OwnerStep();
                break;
        }
    }

    private Block Allocate(int thread, int site, HeapFamily family, long size, bool owned = false)
    {
        Define(thread, site);
        var block = new Block(_nextId++, 0x7f00_0000_0000 + (_nextId * 64), size, site, family, owned);
        Emit(thread, new BlockAllocated(new AllocationId(block.Id), block.Address, size, new SiteId(site), family), movable: !owned);
        AddLive(block);
        _session[(int)family] += new FamilyCounts(0, 0, 1, 0);
        return block;
    }

    private void Free(int thread, Block block, int site)
    {
        Define(thread, site);
        Emit(thread, new BlockFreed(new AllocationId(block.Id), block.Address, block.Size, new SiteId(site), block.Family), movable: !block.Owned);
        RemoveLive(block);
        _freed.Add(block);
        _session[(int)block.Family] += new FamilyCounts(0, 0, 0, 1);
    }

    private void Realloc(int thread, Block old)
    {
        int site = Pick(ReallocSites);
        Define(thread, site);
        long size = Math.Max(1, Pick(Sizes));
        var moved = new Block(_nextId++, old.Address + 4096, size, site, old.Family, old.Owned);
        Emit(thread, new BlockReallocated(new AllocationId(old.Id), old.Address, old.Size, old.Family, new AllocationId(moved.Id), moved.Address, size, moved.Family, new SiteId(site)), movable: !old.Owned);
        RemoveLive(old);
        _freed.Add(old);
        AddLive(moved);
        _session[(int)old.Family] += new FamilyCounts(0, 0, 1, 1);
    }

    private void MismatchedFree(int thread, Block block)
    {
        int site = Pick(MisuseSites);
        Define(thread, site);
        HeapFamily caller = block.Family == HeapFamily.Raw ? HeapFamily.Pool : HeapFamily.Raw;
        Emit(thread, new MisuseReported(MisuseKind.MismatchedFree, block.Family, caller, new AllocationId(block.Id), block.Address, block.Size, new SiteId(site), new SiteId(block.Site)));
        Expect($"mismatched-free|{block.Family}|{block.Site}|{site}|caller {caller}|", block.Size);

        // Under Report the block is then freed by its own family.
        Free(thread, block, site);
    }

    private void DoubleFree(int thread, bool realloc)
    {
        if (_freed.Count == 0)
        {
            return;
        }

        Block block = _freed[_rng.Next(_freed.Count)];
        int site = Pick(MisuseSites);
        Define(thread, site);
        MisuseKind kind = realloc ? MisuseKind.ReallocOfFreed : MisuseKind.DoubleFree;
        Emit(thread, new MisuseReported(kind, block.Family, block.Family, new AllocationId(block.Id), block.Address, block.Size, new SiteId(site), new SiteId(block.Site)));
        Expect($"double-free|{block.Family}|{block.Site}|{site}||{(realloc ? "realloc" : string.Empty)}", block.Size);
    }

    private void InvalidFree(int thread, bool realloc)
    {
        int site = Pick(MisuseSites);
        Define(thread, site);
        HeapFamily caller = PickFamily();
        MisuseKind kind = realloc ? MisuseKind.InvalidRealloc : MisuseKind.InvalidFree;
        Emit(thread, new MisuseReported(kind, HeapFamily.Unknown, caller, default, 0x1234_5678 + _rng.Next(1000), 0, new SiteId(site), default));
        Expect($"invalid-free|{caller}|{site}|{site}||{(realloc ? "realloc" : string.Empty)}", 0);
    }

    /// <summary>Owners live on one thread each (their records stay in order), as a buffer used by one thread would.</summary>
    private void OwnerStep()
    {
        if (_owners.Count == 0 || _rng.Next(4) == 0)
        {
            if (_owners.Count < 4)
            {
                CreateOwner();
            }

            return;
        }

        Owner owner = _owners.Values.ElementAt(_rng.Next(_owners.Count));
        if (owner.DisposeRequested)
        {
            if (owner.Views.Count > 0)
            {
                ReleaseView(owner, owner.Views[_rng.Next(owner.Views.Count)]);
            }

            return;
        }

        switch (_rng.Next(8))
        {
            case 0 or 1:
                AcquireView(owner);
                break;
            case 2:
                if (owner.Views.Count > 0)
                {
                    ReleaseView(owner, owner.Views[_rng.Next(owner.Views.Count)]);
                }

                break;
            case 3:
                Resize(owner);
                break;
            case 4:
                if (owner.Views.Count > 0)
                {
                    LeakView(owner, owner.Views[_rng.Next(owner.Views.Count)]);
                }

                break;
            case 5:
                Dispose(owner);
                break;
            case 6:
                if (owner.Views.Count == 0)
                {
                    Finalize(owner);
                }

                break;
            default:
                break;
        }
    }

    private void CreateOwner()
    {
        int thread = _rng.Next(_threads);
        int site = Pick(OwnerSites);
        HeapFamily family = PickFamily();
        Block storage = Allocate(thread, site, family, 64 * _rng.Next(1, 9), owned: true);
        var owner = new Owner(_nextId++, thread, site, storage, OwnerKind.NativeBuffer);
        _owners.Add(owner.Id, owner);
        Emit(thread, new OwnerCreated(new OwnerId(owner.Id), owner.Kind, new SiteId(site), new AllocationId(storage.Id)));
    }

    private void AcquireView(Owner owner)
    {
        int site = Pick(ViewSites);
        Define(owner.Thread, site);
        long view = _nextId++;
        owner.Views.Add(view);
        owner.ViewSites[view] = site;
        Emit(owner.Thread, new ViewAcquired(new ViewId(view), new OwnerId(owner.Id), new SiteId(site), ViewKind.View));
    }

    private void ReleaseView(Owner owner, long view)
    {
        int site = owner.ViewSites[view];
        owner.Views.Remove(view);
        Emit(owner.Thread, new ViewReleased(new ViewId(view), new OwnerId(owner.Id), new SiteId(site), ViewKind.View));
        if (owner.DisposeRequested && owner.Views.Count == 0)
        {
            FreeStorage(owner);
        }
    }

    private void LeakView(Owner owner, long view)
    {
        int site = owner.ViewSites[view];
        owner.Views.Remove(view);
        Emit(owner.Thread, new ViewLeaked(new ViewId(view), new OwnerId(owner.Id), new SiteId(site), ViewKind.View));
        Expect($"view-leak|{owner.Storage.Family}|{site}|||", owner.Storage.Size);
    }

    private void Resize(Owner owner)
    {
        int resizeSite = owner.Storage.Family == HeapFamily.Raw ? 22 : 23;
        Define(owner.Thread, resizeSite);
        if (owner.Views.Count > 0)
        {
            Emit(owner.Thread, new ResizeBlocked(new OwnerId(owner.Id), new SiteId(resizeSite), 100, owner.Views.Count));
            foreach (long view in owner.Views)
            {
                Emit(owner.Thread, new ResizeBlockedView(new OwnerId(owner.Id), new ViewId(view), new SiteId(owner.ViewSites[view])));
            }

            Expect($"resize-with-views|{owner.Storage.Family}|{resizeSite}|||", owner.Storage.Size);
            return;
        }

        Block old = owner.Storage;
        var moved = new Block(_nextId++, old.Address + 8192, 64 * _rng.Next(1, 9), resizeSite, old.Family, Owned: true);
        Emit(owner.Thread, new BlockReallocated(new AllocationId(old.Id), old.Address, old.Size, old.Family, new AllocationId(moved.Id), moved.Address, moved.Size, moved.Family, new SiteId(resizeSite)));
        RemoveLive(old);
        AddLive(moved);
        _session[(int)old.Family] += new FamilyCounts(0, 0, 1, 1);
        owner.Storage = moved;
    }

    private void Dispose(Owner owner)
    {
        if (owner.Views.Count > 0)
        {
            // Disposed with views outstanding: misuse; every outstanding view is a view leak naming the dispose.
            Emit(owner.Thread, new MisuseReported(MisuseKind.DisposeWithViews, owner.Storage.Family, owner.Storage.Family, new AllocationId(owner.Id),
                owner.Storage.Address, owner.Storage.Size, new SiteId(owner.Site), new SiteId(owner.Site)));
            foreach (long view in owner.Views)
            {
                Expect($"view-leak|{owner.Storage.Family}|{owner.ViewSites[view]}|{owner.Site}||disposed-with-views", owner.Storage.Size);
            }

            _misuses++;
            Emit(owner.Thread, new OwnerDisposed(new OwnerId(owner.Id), owner.Kind, new SiteId(owner.Site), new AllocationId(owner.Storage.Id)));
            owner.DisposeRequested = true;
            return;
        }

        Emit(owner.Thread, new OwnerDisposed(new OwnerId(owner.Id), owner.Kind, new SiteId(owner.Site), new AllocationId(owner.Storage.Id)));
        owner.DisposeRequested = true;
        FreeStorage(owner);
    }

    private void Finalize(Owner owner)
    {
        Emit(owner.Thread, new OwnerFinalized(new OwnerId(owner.Id), owner.Kind, new SiteId(owner.Site), new AllocationId(owner.Storage.Id), owner.Storage.Size, owner.Storage.Family));
        Expect($"owner-finalized|{owner.Storage.Family}|{owner.Site}|||", owner.Storage.Size);
        FreeStorage(owner);
    }

    private void FreeStorage(Owner owner)
    {
        Free(owner.Thread, owner.Storage, owner.Site);
        _owners.Remove(owner.Id);
    }

    private void Rundown()
    {
        // Blocks from before the session: published by the rundown, some freed in the session.
        int count = _rng.Next(0, 12);
        Emit(HeartbeatThread, new RundownStarted(1));
        long bytes = 0;
        for (int i = 0; i < count; i++)
        {
            int site = Pick(AllocSites);
            Define(HeartbeatThread, site);
            HeapFamily family = PickFamily();
            long size = Pick(Sizes);
            var block = new Block(_nextId++, 0x7e00_0000_0000 + (_nextId * 64), size, site, family, Owned: false);
            Emit(HeartbeatThread, new RundownBlock(new AllocationId(block.Id), block.Address, size, new SiteId(site), family));
            AddLive(block);
            _before[(int)family] += new FamilyCounts(0, 0, 1, 0);
            bytes += size;
        }

        Emit(HeartbeatThread, new RundownStopped(1, count, bytes));
        FlushAll(HeartbeatThread);
    }

    private void Heartbeat(bool final)
    {
        FamilyCounts Target(HeapFamily family)
        {
            (long blocks, long bytes) = Live(family);
            FamilyCounts cumulative = _before[(int)family] + _session[(int)family];
            return new FamilyCounts(blocks, bytes, cumulative.Allocations, cumulative.Frees);
        }

        Emit(HeartbeatThread, new Heartbeat(++_heartbeats, Target(HeapFamily.Raw), Target(HeapFamily.Pool), _misuses, final ? HeartbeatFlags.Final : HeartbeatFlags.None));
    }

    private (long Blocks, long Bytes) Live(HeapFamily family)
    {
        long blocks = 0, bytes = 0;
        foreach (Block block in _live.Values)
        {
            if (block.Family == family)
            {
                blocks++;
                bytes += block.Size;
            }
        }

        return (blocks, bytes);
    }

    private IReadOnlyList<string> ExpectedFindings()
    {
        foreach (IGrouping<(int Site, HeapFamily Family), Block> leak in _live.Values.GroupBy(b => (b.Site, b.Family)))
        {
            _expected[$"leak|{leak.Key.Family}|{leak.Key.Site}|||"] = (leak.Count(), leak.Sum(b => b.Size));
        }

        return _expected.Select(e => $"{e.Key}|{e.Value.Count}|{e.Value.Bytes}").Order(StringComparer.Ordinal).ToArray();
    }

    private void Expect(string key, long bytes)
    {
        _expected.TryGetValue(key, out (long Count, long Bytes) tally);
        _expected[key] = (tally.Count + 1, tally.Bytes + bytes);
        if (!key.StartsWith("view-leak", StringComparison.Ordinal) && !key.StartsWith("owner-finalized", StringComparison.Ordinal) && !key.StartsWith("resize", StringComparison.Ordinal))
        {
            _misuses++;
        }
    }

    private void Define(int thread, int site)
    {
        if (_defined.Add(site))
        {
            (string file, int line, string member) = ($"/src/Demo/File{site % 3}.cs", 10 + site, site % 2 == 0 ? "Work" : "Run");
            _siteTable[site] = (file, line, member);
            Emit(thread, new SiteDefined(new SiteId(site), file, line, member));
        }
    }

    private void Emit(int thread, object record, bool movable = false) => _queues[thread].Add(WireEncoder.Encode(record, movable));

    /// <summary>Moves the oldest part of one thread's buffer to the stream, as EventPipe does when that buffer is flushed.</summary>
    private void FlushChunk()
    {
        List<WireEvent> queue = _queues[_rng.Next(_queues.Length)];
        int take = Math.Min(queue.Count, _rng.Next(1, 12));
        _stream.AddRange(queue.GetRange(0, take));
        queue.RemoveRange(0, take);
    }

    private void FlushAll(int thread)
    {
        _stream.AddRange(_queues[thread]);
        _queues[thread].Clear();
    }

    private bool TakeLive(out Block block)
    {
        // Owned storage is freed only by its owner.
        for (int attempt = 0; attempt < 4 && _liveIds.Count > 0; attempt++)
        {
            block = _live[_liveIds[_rng.Next(_liveIds.Count)]];
            if (!block.Owned)
            {
                return true;
            }
        }

        block = default!;
        return false;
    }

    private void AddLive(Block block)
    {
        _live.Add(block.Id, block);
        _liveIds.Add(block.Id);
    }

    private void RemoveLive(Block block)
    {
        _live.Remove(block.Id);
        int index = _liveIds.IndexOf(block.Id);
        _liveIds[index] = _liveIds[^1];
        _liveIds.RemoveAt(_liveIds.Count - 1);
    }

    private T Pick<T>(T[] values) => values[_rng.Next(values.Length)];

    private HeapFamily PickFamily() => _rng.Next(2) == 0 ? HeapFamily.Raw : HeapFamily.Pool;

    private sealed record Block(long Id, long Address, long Size, int Site, HeapFamily Family, bool Owned);

    private sealed class Owner(long id, int thread, int site, Block storage, OwnerKind kind)
    {
        public long Id { get; } = id;

        public int Thread { get; } = thread;

        public int Site { get; } = site;

        public OwnerKind Kind { get; } = kind;

        public Block Storage { get; set; } = storage;

        public List<long> Views { get; } = new();

        public Dictionary<long, int> ViewSites { get; } = new();

        public bool DisposeRequested { get; set; }
    }
}
