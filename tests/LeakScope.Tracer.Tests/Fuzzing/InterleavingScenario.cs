using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// A late attach in the high-rate mode, generated from a seed as the target lived it: blocks from before the session,
/// writers (target threads) that allocate, free and realloc, a rundown walk at some moment, buffers whose storage is
/// viewed, blocked from resizing and leaked, and either a final heartbeat (exit file) or a last heartbeat taken while
/// the target ran (detach). It knows the truth — the live blocks at the end, the findings — and yields every order the
/// tracer can read it in (<see cref="Interleave"/>): each writer's batches in order, the heartbeat thread's events in
/// order, each buffer's events in order, and an event read before every batch holding a later operation (a batch is
/// published after its records, and events are read in timestamp order). Nothing else is constrained.
/// </summary>
internal sealed class InterleavingScenario
{
    public const int AllocSites = 3;
    public const int ReallocSite = 4;
    public const int StorageSite = 5;
    public const int AcquireSite = 6;
    public const int ResizeSite = 7;
    public const int Sites = 7;

    private readonly List<Source> _sources = new();
    private readonly Dictionary<long, Block> _live = new();
    private readonly HashSet<Action<ITraceRecordSink>> _blockRecords = new();

    public InterleavingScenario(int seed, bool detach)
    {
        Seed = seed;
        Detach = detach;
        var random = new Random(seed);
        int writers = random.Next(2, 5);
        int operations = random.Next(6, 40);
        int walk = random.Next(0, operations + 1); // the walk runs just before operation `walk`
        int heartbeatAt = detach ? random.Next(walk, operations + 1) : -1; // after the rundown: same thread

        // Blocks from before the session.
        long nextId = 1;
        for (int i = random.Next(0, 6); i > 0; i--)
        {
            var block = new Block(nextId++, random.Next(1, 200), random.Next(1, AllocSites + 1), Family(random));
            _live.Add(block.Id, block);
        }

        var records = new List<(int Time, Action<ITraceRecordSink> Feed)>[writers];
        for (int w = 0; w < writers; w++)
        {
            records[w] = new();
        }

        var heartbeatThread = new Source("heartbeat thread") { BeforeOperation = true };
        var owners = new List<(int Writer, long Owner, long Storage, long View, int Size, bool Leak, int ClosedAt)>();
        _sources.Add(heartbeatThread);
        nextId = 1000;
        long nextOwner = 1;
        var heartbeatPublish = new int[writers]; // per writer: operations before this index were published before the heartbeat
        LiveState atHeartbeat = default;
        for (int t = 0; t <= operations; t++)
        {
            if (t == walk)
            {
                var walked = _live.Values.OrderBy(b => b.Id).ToArray();
                heartbeatThread.Add(t, s => s.On(new RundownStarted(1)));
                foreach (Block b in walked)
                {
                    heartbeatThread.Add(t, s => s.On(new RundownBlock(new AllocationId(b.Id), 0, b.Size, new SiteId(b.Site), b.Family)));
                }

                heartbeatThread.Add(t, s => s.On(new RundownStopped(1, walked.Length, walked.Sum(b => (long)b.Size))));
            }

            if (t == heartbeatAt)
            {
                // PublishAll, then the counters: a writer published at some earlier moment, and what it did between its
                // publish and the snapshot is counted but still in its buffer.
                for (int w = 0; w < writers; w++)
                {
                    heartbeatPublish[w] = random.Next(Math.Max(walk, t - 3), t + 1);
                }

                atHeartbeat = LiveNow();
                LiveState target = atHeartbeat;
                heartbeatThread.Add(t, s => s.On(new Heartbeat(1, Counts(target, HeapFamily.Raw), Counts(target, HeapFamily.Pool), 0, HeartbeatFlags.Batched)));
            }

            if (t == operations)
            {
                break;
            }

            int writer = random.Next(writers);
            List<(int Time, Action<ITraceRecordSink> Feed)> mine = records[writer];
            int kind = random.Next(10);
            Block[] freeable = _live.Values.Where(b => !b.Owned && (b.Id >= 1000 || t >= walk)).OrderBy(b => b.Id).ToArray();
            (int Writer, long Owner, long Storage, long View, int Size, bool Leak, int ClosedAt)[] open =
                owners.Where(o => o.ClosedAt < 0 && o.Writer == writer).ToArray();
            if (kind < 4 || freeable.Length == 0 && kind < 8 && open.Length == 0)
            {
                var block = new Block(nextId++, random.Next(1, 600), random.Next(1, AllocSites + 1), Family(random));
                _live.Add(block.Id, block);
                mine.Add((t, s => s.On(new BlockAllocated(new AllocationId(block.Id), 0, block.Size, new SiteId(block.Site), block.Family))));
            }
            else if (kind < 6 && freeable.Length > 0)
            {
                Block block = freeable[random.Next(freeable.Length)];
                _live.Remove(block.Id);
                mine.Add((t, s => s.On(new BlockFreed(new AllocationId(block.Id), 0, 0, default, HeapFamily.Unknown))));
            }
            else if (kind < 8 && freeable.Length > 0)
            {
                Block old = freeable[random.Next(freeable.Length)];
                var moved = new Block(nextId++, random.Next(1, 600), ReallocSite, old.Family);
                _live.Remove(old.Id);
                _live.Add(moved.Id, moved);
                mine.Add((t, s => s.On(new BlockReallocated(new AllocationId(old.Id), 0, 0, HeapFamily.Unknown, new AllocationId(moved.Id), 0, moved.Size, moved.Family, new SiteId(ReallocSite)))));
            }
            else if (open.Length == 0)
            {
                // A buffer: its storage, a view, a resize refused because of it.
                long owner = nextOwner++;
                var storage = new Block(nextId++, random.Next(16, 400), StorageSite, HeapFamily.Pool) { Owned = true };
                long view = owner + 100;
                _live.Add(storage.Id, storage);
                mine.Add((t, s => s.On(new BlockAllocated(new AllocationId(storage.Id), 0, storage.Size, new SiteId(StorageSite), HeapFamily.Pool))));
                var events = new Source($"buffer {owner}");
                events.Add(t, s => s.On(new OwnerCreated(new OwnerId(owner), OwnerKind.NativeBuffer, new SiteId(StorageSite), new AllocationId(storage.Id))));
                events.Add(t, s => s.On(new ViewAcquired(new ViewId(view), new OwnerId(owner), new SiteId(AcquireSite), ViewKind.View)));
                events.Add(t, s => s.On(new ResizeBlocked(new OwnerId(owner), new SiteId(ResizeSite), storage.Size * 2, 1)));
                events.Add(t, s => s.On(new ResizeBlockedView(new OwnerId(owner), new ViewId(view), new SiteId(AcquireSite))));
                _sources.Add(events);
                owners.Add((writer, owner, storage.Id, view, storage.Size, random.Next(2) == 0, -1));
                ResizeBlocks++;
                ResizeBytes += storage.Size;
            }
            else
            {
                // The buffer's view is released or leaked (reclaimed by the finalizer), then the buffer is disposed.
                var o = open[0];
                Source events = _sources.Single(s => s.Name == $"buffer {o.Owner}");
                if (o.Leak)
                {
                    events.Add(t, s => s.On(new ViewLeaked(new ViewId(o.View), new OwnerId(o.Owner), new SiteId(AcquireSite), ViewKind.View)));
                    ViewLeaks++;
                    ViewLeakBytes += o.Size;
                }
                else
                {
                    events.Add(t, s => s.On(new ViewReleased(new ViewId(o.View), new OwnerId(o.Owner), new SiteId(AcquireSite), ViewKind.View)));
                }

                events.Add(t, s => s.On(new OwnerDisposed(new OwnerId(o.Owner), OwnerKind.NativeBuffer, new SiteId(StorageSite), new AllocationId(o.Storage))));
                _live.Remove(o.Storage);
                mine.Add((t, s => s.On(new BlockFreed(new AllocationId(o.Storage), 0, 0, default, HeapFamily.Unknown))));
                owners[owners.IndexOf(o)] = o with { ClosedAt = t };
            }
        }

        // Views still held at the end are leaks too ("outstanding-at-end").
        foreach (var o in owners.Where(o => o.ClosedAt < 0))
        {
            OutstandingViews++;
            OutstandingViewBytes += o.Size;
        }

        // Each writer's records, cut into batches at random (and where the heartbeat's publish cut them).
        for (int w = 0; w < writers; w++)
        {
            var batches = new Source($"writer {w + 1}") { IsBatches = true };
            long sequence = 0;
            List<(int Time, Action<ITraceRecordSink> Feed)> current = new();
            for (int i = 0; i < records[w].Count; i++)
            {
                int time = records[w][i].Time;
                // The heartbeat's publish of this writer ends a batch; what the writer did after it and before the
                // snapshot opens the next one, uncut.
                bool publish = detach && current.Count > 0 && current[^1].Time < heartbeatPublish[w] && time >= heartbeatPublish[w];
                bool straddling = detach && current.Count > 0 && current[^1].Time >= heartbeatPublish[w] && time < heartbeatAt;
                if (publish || (current.Count > 0 && !straddling && random.Next(3) == 0))
                {
                    AddBatch(batches, w + 1, ++sequence, current);
                    current = new();
                }

                current.Add(records[w][i]);
            }

            if (current.Count > 0)
            {
                AddBatch(batches, w + 1, ++sequence, current);
            }

            _sources.Add(batches);
        }

        if (detach)
        {
            // The heartbeat follows every batch published before it (its own PublishAll) and precedes the rest.
            Element heartbeat = heartbeatThread.Items[^1];
            foreach (Source batches in _sources.Where(s => s.IsBatches))
            {
                int w = int.Parse(batches.Name["writer ".Length..]) - 1;
                foreach (Element batch in batches.Items)
                {
                    if (batch.LastTime < heartbeatPublish[w])
                    {
                        heartbeat.After.Add(batch);
                    }
                    else
                    {
                        batch.After.Add(heartbeat);
                    }
                }
            }
        }

        // An event is read before every batch holding an operation after it.
        foreach (Source events in _sources.Where(s => !s.IsBatches))
        {
            foreach (Element e in events.Items)
            {
                foreach (Element batch in _sources.Where(s => s.IsBatches).SelectMany(s => s.Items))
                {
                    if (batch.LastTime > e.LastTime || (events.BeforeOperation && batch.LastTime == e.LastTime))
                    {
                        batch.After.Add(e);
                    }
                }
            }
        }

        Final = LiveNow();
        Leaks = _live.Values.GroupBy(b => (b.Site, b.Family))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Bytes: g.Sum(b => (long)b.Size)));
    }

    public int Seed { get; }

    public bool Detach { get; }

    /// <summary>The live blocks and bytes per family at the end.</summary>
    public LiveState Final { get; }

    public Dictionary<(int Site, HeapFamily Family), (long Count, long Bytes)> Leaks { get; }

    public long ResizeBlocks { get; private set; }

    public long ResizeBytes { get; private set; }

    public long ViewLeaks { get; private set; }

    public long ViewLeakBytes { get; private set; }

    public long OutstandingViews { get; private set; }

    public long OutstandingViewBytes { get; private set; }

    public IEnumerable<string> Describe() => _sources.Select(s => $"{s.Name}: {s.Items.Count} elements");

    /// <summary>One legal read order, drawn with <paramref name="random"/>; <paramref name="drop"/> removes one block record (a loss nothing counted).</summary>
    public List<Action<ITraceRecordSink>> Interleave(Random random, bool drop = false)
    {
        var order = new List<Action<ITraceRecordSink>>();
        for (int site = 1; site <= Sites; site++)
        {
            int id = site;
            order.Add(s => s.On(new SiteDefined(new SiteId(id), "/src/App/Program.cs", 10 * id, $"Site{id}")));
        }

        var done = new HashSet<Element>();
        var next = _sources.ToDictionary(s => s, _ => 0);
        var ready = new List<Source>();
        while (true)
        {
            ready.Clear();
            foreach (Source source in _sources)
            {
                if (next[source] < source.Items.Count && source.Items[next[source]].After.All(done.Contains))
                {
                    ready.Add(source);
                }
            }

            if (ready.Count == 0)
            {
                break;
            }

            Source chosen = ready[random.Next(ready.Count)];
            Element element = chosen.Items[next[chosen]++];
            done.Add(element);
            order.AddRange(element.Feed);
        }

        if (done.Count != _sources.Sum(s => s.Items.Count))
        {
            throw new InvalidOperationException("the scenario's order constraints have a cycle");
        }

        if (drop)
        {
            int[] blockRecords = Enumerable.Range(0, order.Count).Where(i => _blockRecords.Contains(order[i])).ToArray();
            if (blockRecords.Length > 0)
            {
                order.RemoveAt(blockRecords[random.Next(blockRecords.Length)]);
            }
        }

        if (!Detach)
        {
            // The exit file, read after the stream: the final counts.
            LiveState final = Final;
            order.Add(s => s.On(new Heartbeat(2, Counts(final, HeapFamily.Raw), Counts(final, HeapFamily.Pool), 0, HeartbeatFlags.Final | HeartbeatFlags.Batched)));
        }

        return order;
    }

    public StreamSummary Summary => Detach
        ? new StreamSummary(StreamEnd.Duration) { Batched = true }
        : new StreamSummary(StreamEnd.TargetExited) { Batched = true, ExitFile = ExitFileStatus.Read };

    private void AddBatch(Source batches, long writer, long sequence, List<(int Time, Action<ITraceRecordSink> Feed)> records)
    {
        var feeds = new List<Action<ITraceRecordSink>> { s => s.On(new BatchStarted(writer, sequence)) };
        feeds.AddRange(records.Select(r => r.Feed));
        _blockRecords.UnionWith(records.Select(r => r.Feed));
        batches.Items.Add(new Element("batch", records[0].Time, records[^1].Time, feeds));
    }

    private LiveState LiveNow()
    {
        LiveState state = default;
        foreach (Block b in _live.Values)
        {
            state += b.Family == HeapFamily.Raw ? new LiveState(1, b.Size, 0, 0) : new LiveState(0, 0, 1, b.Size);
        }

        return state;
    }

    private static FamilyCounts Counts(LiveState state, HeapFamily family) => family == HeapFamily.Raw
        ? new FamilyCounts(state.RawBlocks, state.RawBytes, 0, 0)
        : new FamilyCounts(state.PoolBlocks, state.PoolBytes, 0, 0);

    private static HeapFamily Family(Random random) => random.Next(2) == 0 ? HeapFamily.Raw : HeapFamily.Pool;

    private sealed record Block(long Id, int Size, int Site, HeapFamily Family)
    {
        public bool Owned { get; init; }
    }

    /// <summary>What is read at once: one batch, or one event.</summary>
    private sealed class Element(string name, int firstTime, int lastTime, List<Action<ITraceRecordSink>> feed)
    {
        public string Name { get; } = name;

        public int FirstTime { get; } = firstTime;

        public int LastTime { get; } = lastTime;

        public List<Action<ITraceRecordSink>> Feed { get; } = feed;

        /// <summary>Elements that must be read before this one.</summary>
        public HashSet<Element> After { get; } = new();
    }

    /// <summary>A sequence that keeps its order: a writer's batches, the heartbeat thread's events, a buffer's events.</summary>
    private sealed class Source(string name)
    {
        public string Name { get; } = name;

        public bool IsBatches { get; init; }

        /// <summary>Its events happen just before the operation of their time (the walk, the heartbeat), not after it.</summary>
        public bool BeforeOperation { get; init; }

        public List<Element> Items { get; } = new();

        public void Add(int time, Action<ITraceRecordSink> feed) => Items.Add(new Element("event", time, time, [feed]));
    }
}
