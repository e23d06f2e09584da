using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>
/// The high-rate protocol (<see cref="BatchingSession"/>) driven step by step, single-threaded, through every order its
/// actors' steps can interleave in — deterministic, unlike the stress tests beside it. The actors, each in its own order:
/// an owner thread whose allocation is two steps (the id handed out, block live in the heap; then the record) as is its
/// free (the block marked freed; then the record), ending with its exit; a rundown (begin the walk, read the heap's live
/// blocks, end the walk); heartbeats (publish every writer); and in the re-attach scenarios a session that stops and
/// starts again before its rundown. While the protocol is Off the owner's records are not written (the allocator does not
/// call its writer then). A model tracer reads what was published, in order, with the rundown's blocks where the walk put
/// them; after a last heartbeat its live set must equal the heap's: a block the walk reported never vanishes into a fold,
/// and no free or allocation is lost. Every order is run twice and must publish the same bytes.
/// <para>
/// The detach cut (<see cref="OperationCut"/>) is driven the same way, with owners whose heap step counts the operation
/// (as the allocator's counters do) before the record step, one of them freeing a block the other allocated once that
/// allocation has returned, and the heartbeat thread taking a cut step by step: begin, wait until every owner is between
/// operations, read, capture the counts, publish, read again, and again until it holds, then the confirming heartbeat and
/// the end of the cut. An owner that ends a record step while the cut is being taken waits there until it ends. In every
/// order the cut must hold, and a tracer that reads what was published before the heartbeat must have exactly the
/// heartbeat's live blocks and bytes, with no free of a block it has not seen allocated.
/// </para>
/// </summary>
public sealed class BatchingInterleavingTests
{
    private const int Heartbeats = 1;

    public static TheoryData<string> Scripts => new()
    {
        "alloc a; free a; alloc b; free b",
        "alloc a; alloc b; free a; free b",
        "alloc a; alloc b; free b; alloc c; free a",
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void A_rundown_and_a_heartbeat_in_every_order_leave_the_tracer_with_the_heaps_live_blocks(string script)
    {
        int orders = RunEveryOrder(script, reattach: false);
        Assert.True(orders > 100, $"{orders} orders");
    }

    [Theory]
    [InlineData("alloc a; alloc b; free a; free b; exit")]
    [InlineData("alloc a; free a; alloc b; free b; exit")]
    [InlineData("alloc a; alloc b; free b; exit")]
    public void A_reattach_and_its_rundown_in_every_order_leave_the_new_tracer_with_the_heaps_live_blocks(string script)
    {
        int orders = RunEveryOrder(script, reattach: true);
        Assert.True(orders > 100, $"{orders} orders");
    }

    [Theory]
    [InlineData("alloc a; free a; alloc b", "")]
    [InlineData("alloc a; alloc b; free a", "")]
    [InlineData("alloc a; alloc b", "free a")]
    [InlineData("alloc a; free a", "alloc b")]
    [InlineData("alloc a; exit", "alloc b")]
    public void A_detach_cut_in_every_order_confirms_exactly_the_records_published_before_its_heartbeat(string first, string second)
    {
        string[] scripts = second.Length == 0 ? [first] : [first, second];
        int orders = 0;
        var path = new List<int>();
        Explore();
        Assert.True(orders > 100, $"{orders} orders");

        void Explore()
        {
            CutRun run = CutRun.Execute(scripts, path);
            int[] enabled = run.Enabled().ToArray();
            if (enabled.Length == 0)
            {
                Assert.True(run.Finished, $"no step can be taken, not finished, after {run.Describe()}");
                run.Check();
                CutRun again = CutRun.Execute(scripts, path);
                again.Check();
                Assert.True(run.Published.SequenceEqual(again.Published), $"not deterministic: {run.Describe()}");
                orders++;
                return;
            }

            foreach (int actor in enabled)
            {
                path.Add(actor);
                Explore();
                path.RemoveAt(path.Count - 1);
            }
        }
    }

    private static int RunEveryOrder(string script, bool reattach)
    {
        var actors = new List<Step[]> { OwnerSteps(script) };
        actors.Add(reattach ? [Step.Stop, Step.Start, Step.BeginWalk, Step.Walk, Step.EndWalk] : [Step.BeginWalk, Step.Walk, Step.EndWalk]);
        for (int i = 0; i < Heartbeats; i++)
        {
            actors.Add([Step.Heartbeat]);
        }

        int orders = 0;
        foreach (Step[] order in Interleavings(actors))
        {
            Run run = Run.Execute(script, order);
            Run again = Run.Execute(script, order);
            Assert.True(Records(run).SequenceEqual(Records(again)), $"not deterministic: {Describe(order)}");
            Assert.True(run.Tracer.SetEquals(run.Heap),
                $"after {Describe(order)}: tracer has [{string.Join(", ", run.Tracer.Order())}], the heap [{string.Join(", ", run.Heap.Order())}]");
            orders++;
        }

        return orders;
    }

    /// <summary>What a run published, writer ids aside (each run has its own writer, numbered process-wide).</summary>
    private static IEnumerable<string> Records(Run run) => run.Published.Select(b =>
    {
        ParsedBatch batch = ParsedBatch.Parse(b);
        return $"{batch.Sequence}: {string.Join(" ", batch.Records)}";
    });

    private static string Describe(Step[] order) => string.Join(" → ", order);

    /// <summary>The owner's steps for a script of <c>alloc x</c>, <c>free x</c> and <c>exit</c>.</summary>
    private static Step[] OwnerSteps(string script)
    {
        var steps = new List<Step>();
        foreach (string operation in script.Split(';', StringSplitOptions.TrimEntries))
        {
            steps.AddRange(operation.Split(' ')[0] switch
            {
                "alloc" => [Step.HandOut, Step.RecordAllocation],
                "free" => [Step.MarkFreed, Step.RecordFree],
                "exit" => [Step.Exit],
                _ => throw new ArgumentException(operation),
            });
        }

        return steps.ToArray();
    }

    /// <summary>Every merge of the actors' step lists that keeps each actor's own order.</summary>
    private static IEnumerable<Step[]> Interleavings(List<Step[]> actors)
    {
        int total = actors.Sum(a => a.Length);
        var next = new int[actors.Count];
        var order = new Step[total];
        return Merge(0);

        IEnumerable<Step[]> Merge(int at)
        {
            if (at == total)
            {
                yield return (Step[])order.Clone();
                yield break;
            }

            for (int a = 0; a < actors.Count; a++)
            {
                if (next[a] == actors[a].Length)
                {
                    continue;
                }

                order[at] = actors[a][next[a]++];
                foreach (Step[] done in Merge(at + 1))
                {
                    yield return done;
                }

                next[a]--;
            }
        }
    }

    private enum Step
    {
        HandOut,
        RecordAllocation,
        MarkFreed,
        RecordFree,
        Exit,
        BeginWalk,
        Walk,
        EndWalk,
        Heartbeat,
        Stop,
        Start,
    }

    /// <summary>One order, executed: what was published (batches, and the rundown where the walk read the heap), the heap's live blocks, and what a tracer makes of it.</summary>
    private sealed unsafe class Run : IBatchOutput
    {
        private const int Site = 3;
        private const long Size = 48;

        private readonly List<object> _log = new();

        public List<byte[]> Published { get; } = new();

        public HashSet<long> Heap { get; } = new();

        public HashSet<long> Tracer { get; } = new();

        public void Write(byte* records, int length)
        {
            byte[] batch = new ReadOnlySpan<byte>(records, length).ToArray();
            Published.Add(batch);
            _log.Add(batch);
        }

        public static Run Execute(string script, Step[] order)
        {
            var run = new Run();
            var session = new BatchingSession(run);
            session.Start();
            var ids = new FakeIds(1000);
            var writer = new BatchWriter(session, ids);
            string[] operations = script.Split(';', StringSplitOptions.TrimEntries);
            var idOf = new Dictionary<string, long>();
            int operation = 0;
            bool walkStarted = false;
            foreach (Step step in order)
            {
                string block = operations.Length > operation ? operations[operation].Split(' ').Last() : string.Empty;
                bool recording = session.State != BatchingState.Off;
                switch (step)
                {
                    case Step.HandOut:
                        idOf[block] = ids.HandOut();
                        run.Heap.Add(idOf[block]);
                        break;
                    case Step.RecordAllocation:
                        if (recording)
                        {
                            writer.Allocated(idOf[block], (nuint)Size, Site, AllocationFamily.Pool);
                            writer.EndOperation();
                        }

                        operation++;
                        break;
                    case Step.MarkFreed:
                        run.Heap.Remove(idOf[block]);
                        break;
                    case Step.RecordFree:
                        if (recording && !writer.Freed(idOf[block], (nuint)Size, Site, AllocationFamily.Pool))
                        {
                            writer.EndOperation();
                        }

                        operation++;
                        break;
                    case Step.Exit:
                        writer.RetireFromExitedOwner();
                        operation++;
                        break;
                    case Step.BeginWalk:
                        walkStarted = session.BeginWalk();
                        break;
                    case Step.Walk:
                        run._log.Add(run.Heap.ToArray());
                        break;
                    case Step.EndWalk:
                        if (walkStarted)
                        {
                            session.EndWalk();
                        }

                        break;
                    case Step.Heartbeat:
                        session.PublishAll();
                        break;
                    case Step.Stop:
                        session.Stop();
                        break;
                    case Step.Start:
                        session.Start();
                        run._log.Add(Step.Start); // a new tracer attaches here
                        break;
                }
            }

            session.PublishAll(); // the last heartbeat
            run.Trace();
            return run;
        }

        /// <summary>A tracer's reading: allocation records and rundown blocks add, free records remove; a freed id stays freed.</summary>
        private void Trace()
        {
            int from = _log.LastIndexOf(Step.Start) + 1;
            var freed = new HashSet<long>();
            foreach (object entry in _log.Skip(from))
            {
                if (entry is long[] rundown)
                {
                    Tracer.UnionWith(rundown.Where(id => !freed.Contains(id)));
                    continue;
                }

                foreach ((byte tag, long key) in ParsedBatch.Parse((byte[])entry).Records)
                {
                    if (tag == BatchRecord.Allocated && !freed.Contains(key))
                    {
                        Tracer.Add(key);
                    }
                    else if (tag == BatchRecord.Freed)
                    {
                        freed.Add(key);
                        Tracer.Remove(key);
                    }
                }
            }
        }
    }

    /// <summary>
    /// One order of a detach cut with one or two owners, executed: actors 0.. are the owners, the last is the heartbeat
    /// thread (a heartbeat, then the cut). <see cref="Execute"/> replays a path of actor choices from the start.
    /// </summary>
    private sealed unsafe class CutRun : IBatchOutput
    {
        private const int Site = 3;
        private const long Size = 48;
        private const int MaxAttempts = 4;

        private readonly List<object> _log = new();
        private readonly List<string> _steps = new();
        private readonly BatchingSession _session;
        private readonly Owner[] _owners;
        private readonly Dictionary<string, long> _idOf = new();
        private readonly HashSet<string> _returned = new();
        private readonly HashSet<long> _heap = new();
        private FamilyCounters _retired;

        private Flusher _flusher = Flusher.Heartbeat;
        private OperationCut? _cut;
        private int _attempts;
        private (long Blocks, long Bytes) _captured;

        private CutRun(string[] scripts)
        {
            _session = new BatchingSession(this);
            _session.Start();
            _owners = scripts.Select((script, k) => new Owner(_session, 1000 * (k + 1), script)).ToArray();
        }

        private enum Flusher
        {
            Heartbeat,
            Begin,
            Before,
            Capture,
            Publish,
            After,
            Confirm,
            End,
            Done,
        }

        public bool Finished => _flusher == Flusher.Done && _owners.All(o => o.Next == o.Operations.Length);

        public void Write(byte* records, int length) => _log.Add(new ReadOnlySpan<byte>(records, length).ToArray());

        public static CutRun Execute(string[] scripts, List<int> path)
        {
            var run = new CutRun(scripts);
            foreach (int actor in path)
            {
                run.Step(actor);
            }

            return run;
        }

        public string Describe() => string.Join(" → ", _steps);

        /// <summary>What was published, in order, writer ids aside (each run has its own writers, numbered process-wide), and where the heartbeat went.</summary>
        public IEnumerable<string> Published => _log.Select(entry => entry is byte[] batch
            ? $"{ParsedBatch.Parse(batch).Sequence}: {string.Join(" ", ParsedBatch.Parse(batch).Records)}"
            : $"heartbeat {entry}");

        public IEnumerable<int> Enabled()
        {
            for (int k = 0; k < _owners.Length; k++)
            {
                if (OwnerEnabled(_owners[k]))
                {
                    yield return k;
                }
            }

            if (_flusher != Flusher.Done && (_flusher != Flusher.Before || _cut!.AllBetweenOperations()))
            {
                yield return _owners.Length;
            }
        }

        private bool OwnerEnabled(Owner owner)
        {
            if (owner.Parked || owner.Next == owner.Operations.Length)
            {
                return false;
            }

            (string verb, string block) = owner.Operations[owner.Next];

            // A block is freed only once its allocation has returned to the program (a thread waiting at the cut has not returned it).
            return verb != "free" || owner.Counted || _returned.Contains(block);
        }

        private void Step(int actor)
        {
            if (actor == _owners.Length)
            {
                FlusherStep();
                return;
            }

            Owner owner = _owners[actor];
            (string verb, string block) = owner.Operations[owner.Next];
            _steps.Add($"{actor}:{verb} {block}{(owner.Counted ? " record" : verb == "exit" ? string.Empty : " count")}");
            switch (verb)
            {
                case "alloc" when !owner.Counted:
                    _idOf[block] = owner.Ids.CountAllocation(AllocationFamily.Pool, Size);
                    _heap.Add(_idOf[block]);
                    owner.Counted = true;
                    break;
                case "alloc":
                    owner.Writer.Allocated(_idOf[block], (nuint)Size, Site, AllocationFamily.Pool);
                    owner.Writer.CountedAllocation(AllocationFamily.Pool, owner.Ids.Counters(AllocationFamily.Pool));
                    owner.Writer.EndOperation();
                    EndRecordStep(owner, block);
                    break;
                case "free" when !owner.Counted:
                    owner.Ids.CountFree(AllocationFamily.Pool, Size);
                    _heap.Remove(_idOf[block]);
                    _returned.Remove(block);
                    owner.Counted = true;
                    break;
                case "free":
                    bool sessionUnchanged = owner.Writer.Freed(_idOf[block], (nuint)Size, Site, AllocationFamily.Pool);
                    owner.Writer.CountedFree(AllocationFamily.Pool, owner.Ids.Counters(AllocationFamily.Pool));
                    if (!sessionUnchanged)
                    {
                        owner.Writer.EndOperation();
                    }

                    EndRecordStep(owner, null);
                    break;
                case "exit":
                    // The heap of an exited thread is reclaimed: its counters join the retired totals, its writer publishes and leaves.
                    owner.Writer.RetireFromExitedOwner();
                    Span<FamilyCounters> counters = stackalloc FamilyCounters[FamilySlots.Count];
                    owner.Ids.Read(counters);
                    _retired.Add(counters[(int)AllocationFamily.Pool]);
                    owner.Exited = true;
                    owner.Next++;
                    break;
            }
        }

        /// <summary>After a record step (as the allocator's record path does it: the counters' copy, then the signal): while a cut is taken the owner then waits.</summary>
        private void EndRecordStep(Owner owner, string? allocated)
        {
            owner.Counted = false;
            owner.Next++;
            if (_session.CutEpoch != 0)
            {
                owner.Parked = true;
                owner.Returning = allocated;
            }
            else if (allocated is not null)
            {
                _returned.Add(allocated);
            }
        }

        private void FlusherStep()
        {
            _steps.Add($"cut:{_flusher}");
            switch (_flusher)
            {
                case Flusher.Heartbeat:
                    _session.PublishAll();
                    _flusher = Flusher.Begin;
                    break;
                case Flusher.Begin:
                    _cut = _session.BeginCut();
                    _flusher = Flusher.Before;
                    break;
                case Flusher.Before:
                    _cut!.ReadBefore();
                    _flusher = Flusher.Capture;
                    break;
                case Flusher.Capture:
                    FamilyCounters total = _retired;
                    Span<FamilyCounters> counters = stackalloc FamilyCounters[FamilySlots.Count];
                    foreach (Owner owner in _owners.Where(o => !o.Exited))
                    {
                        owner.Ids.Read(counters);
                        total.Add(counters[(int)AllocationFamily.Pool]);
                    }

                    _captured = (total.Allocations - total.Frees, total.LiveBytes);
                    _flusher = Flusher.Publish;
                    break;
                case Flusher.Publish:
                    _session.PublishAll();
                    _flusher = Flusher.After;
                    break;
                case Flusher.After:
                    _attempts++;
                    if (_cut!.ReadAfter())
                    {
                        _flusher = Flusher.Confirm;
                    }
                    else
                    {
                        Assert.True(_attempts < MaxAttempts, $"the cut did not hold after {_attempts} attempts: {Describe()}");
                        _flusher = Flusher.Before;
                    }

                    break;
                case Flusher.Confirm:
                    _log.Add(_captured); // DetachFlushed and its heartbeat
                    _flusher = Flusher.End;
                    break;
                case Flusher.End:
                    _cut!.Dispose();
                    foreach (Owner owner in _owners.Where(o => o.Parked))
                    {
                        owner.Parked = false;
                        if (owner.Returning is { } block)
                        {
                            _returned.Add(block);
                        }
                    }

                    _flusher = Flusher.Done;
                    break;
            }
        }

        /// <summary>At the heartbeat the tracer's account equals the captured counts; at the end, the heap's live blocks.</summary>
        public void Check()
        {
            _session.PublishAll(); // the heartbeats after the detach
            var live = new HashSet<long>();
            var freed = new HashSet<long>();
            bool confirmed = false;
            foreach (object entry in _log)
            {
                if (entry is (long blocks, long bytes))
                {
                    Assert.True((blocks, bytes) == (live.Count, live.Count * Size),
                        $"the heartbeat says {blocks} blocks / {bytes} B, the records before it {live.Count} / {live.Count * Size}: {Describe()}");
                    confirmed = true;
                    continue;
                }

                foreach ((byte tag, long key) in ParsedBatch.Parse((byte[])entry).Records)
                {
                    if (tag == BatchRecord.Allocated)
                    {
                        live.Add(key);
                    }
                    else if (tag == BatchRecord.Freed)
                    {
                        Assert.True(confirmed || live.Contains(key), $"the free of {key} came before its allocation, before the heartbeat: {Describe()}");
                        freed.Add(key);
                        live.Remove(key);
                    }
                }
            }

            Assert.True(confirmed, Describe());
            live.ExceptWith(freed);
            Assert.True(live.SetEquals(_heap), $"tracer [{string.Join(", ", live.Order())}], heap [{string.Join(", ", _heap.Order())}]: {Describe()}");
        }

        private sealed class Owner
        {
            public Owner(BatchingSession session, long firstId, string script)
            {
                Ids = new FakeOwner(firstId);
                Writer = new BatchWriter(session, Ids);
                Writer.EndOperation(); // it has recorded before in this session: its copy of the counters is this session's
                Operations = script.Split(';', StringSplitOptions.TrimEntries)
                    .Select(op => op.Split(' ') is [string verb, string block] ? (verb, block) : (op, string.Empty))
                    .ToArray();
            }

            public FakeOwner Ids { get; }

            public BatchWriter Writer { get; }

            public (string Verb, string Block)[] Operations { get; }

            public int Next { get; set; }

            /// <summary>The current operation's heap step is done, its record step not yet.</summary>
            public bool Counted { get; set; }

            public bool Parked { get; set; }

            public string? Returning { get; set; }

            public bool Exited { get; set; }
        }
    }
}
