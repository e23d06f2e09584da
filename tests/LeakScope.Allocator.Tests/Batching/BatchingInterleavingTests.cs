using LeakScope.Allocator.Diagnostics.Batching;

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
                        }

                        operation++;
                        break;
                    case Step.MarkFreed:
                        run.Heap.Remove(idOf[block]);
                        break;
                    case Step.RecordFree:
                        if (recording)
                        {
                            writer.Freed(idOf[block], (nuint)Size, Site, AllocationFamily.Pool);
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
}
