using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>
/// One thread's writer, its output redirected: the batch header and its sequence, folding of an alloc/free pair, and
/// the two rules that keep a block a rundown reported from folding away (suspension during the walk, the fold floor).
/// </summary>
public sealed unsafe class BatchWriterTests
{
    private readonly BatchOutputCapture _output = new();
    private readonly BatchingSession _session;
    private readonly FakeIds _ids = new(1_000_001);
    private readonly BatchWriter _writer;

    public BatchWriterTests()
    {
        _session = new BatchingSession(_output);
        _session.Start();
        _writer = new BatchWriter(_session, _ids);
    }

    [Fact]
    public void Every_batch_starts_with_the_writers_header_and_the_next_sequence_number()
    {
        _writer.Allocated(1_000_001, 64, 3, AllocationFamily.Pool);
        _writer.Publish();
        _writer.Allocated(1_000_002, 64, 3, AllocationFamily.Pool);
        _writer.Publish();

        (long writer1, long sequence1, var records1) = ParsedBatch.Parse(_output.Batches[0]);
        (long writer2, long sequence2, _) = ParsedBatch.Parse(_output.Batches[1]);
        Assert.Equal(writer1, writer2);
        Assert.Equal((1, 2), (sequence1, sequence2));
        Assert.Equal([(BatchRecord.Allocated, 1_000_001L)], records1);
    }

    [Fact]
    public void An_allocation_freed_before_it_is_published_folds_into_its_site()
    {
        _writer.Allocated(2_000_001, 64, 5, AllocationFamily.Pool);
        _writer.Freed(2_000_001, 64, 5, AllocationFamily.Pool);
        _writer.FlushFolds();
        _writer.Publish();

        (_, _, var records) = ParsedBatch.Parse(Assert.Single(_output.Batches));
        Assert.Equal([(BatchRecord.Folded, 5L)], records);
    }

    public static TheoryData<AllocationFamily> EveryFamily => new(Enum.GetValues<AllocationFamily>().Where(f => f != AllocationFamily.Unknown));

    [Theory]
    [MemberData(nameof(EveryFamily))]
    public void A_fold_keeps_its_site_and_family_beside_the_neighbouring_sites_folds(AllocationFamily family)
    {
        // Pairs of one family at sites 4 and 6, and of raw and pool at site 5 between them: each counter stays its own.
        long id = 5_000_001;
        void Pair(int site, AllocationFamily f, nuint size)
        {
            _writer.Allocated(id, size, site, f);
            _writer.Freed(id, size, site, f);
            id++;
        }

        for (int i = 0; i < 3; i++)
        {
            Pair(4, family, 100);
            Pair(5, AllocationFamily.Raw, 10);
            Pair(5, AllocationFamily.Pool, 20);
            Pair(6, family, 1_000);
        }

        _writer.FlushFolds();
        _writer.Publish();

        ParsedBatch batch = ParsedBatch.Parse(Assert.Single(_output.Batches));
        var expected = new List<(long, AllocationFamily, long, long)> { (4, family, 3, 300), (5, AllocationFamily.Raw, 3, 30), (5, AllocationFamily.Pool, 3, 60), (6, family, 3, 3_000) };
        if (family is AllocationFamily.Raw or AllocationFamily.Pool)
        {
            // Raw or pool at sites 4 and 6 are their own counters too; nothing merges across sites.
            expected = expected.GroupBy(f => (f.Item1, f.Item2)).Select(g => (g.Key.Item1, g.Key.Item2, g.Sum(f => f.Item3), g.Sum(f => f.Item4))).ToList();
        }

        Assert.Equal(expected.Order(), batch.Folds.Order());
    }

    [Fact]
    public void Nothing_folds_while_a_rundown_walks_the_heap()
    {
        Assert.True(_session.BeginWalk());
        _writer.Allocated(3_000_001, 64, 5, AllocationFamily.Pool);
        _writer.Freed(3_000_001, 64, 5, AllocationFamily.Pool);

        _writer.Publish();
        (_, _, var records) = ParsedBatch.Parse(_output.Batches[^1]);
        Assert.Equal([(BatchRecord.Allocated, 3_000_001L), (BatchRecord.Freed, 3_000_001L)], records);
    }

    [Fact]
    public void A_walk_that_begins_after_the_owner_saw_folding_allowed_leaves_the_pair_written()
    {
        // The allocation's record step ended while folding was allowed (the fast fold path armed); the walk begins before
        // the free: it publishes the pending allocation and moves the signal, and the free is written as a record.
        _writer.Allocated(6_000_001, 64, 5, AllocationFamily.Pool);
        _writer.EndOperation();
        Assert.True(_session.BeginWalk());
        Assert.False(_writer.Freed(6_000_001, 64, 5, AllocationFamily.Pool));

        _writer.Publish();
        var records = _output.Batches.SelectMany(b => ParsedBatch.Parse(b).Records).ToList();
        Assert.Equal([(BatchRecord.Allocated, 6_000_001L), (BatchRecord.Freed, 6_000_001L)], records);
    }

    [Fact]
    public void A_fold_skips_the_end_of_its_step_only_while_nothing_changed_and_a_heartbeats_folds_follow_the_next_step()
    {
        _writer.EndOperation();
        _writer.Allocated(7_000_001, 64, 5, AllocationFamily.Pool);
        _writer.EndOperation();
        Assert.True(_writer.Freed(7_000_001, 64, 5, AllocationFamily.Pool));

        // A heartbeat moves the signal: the next fold still folds but leaves the step's end to run, which appends both.
        _session.PublishAll();
        _writer.Allocated(7_000_002, 64, 5, AllocationFamily.Pool);
        Assert.False(_writer.Freed(7_000_002, 64, 5, AllocationFamily.Pool));
        _writer.EndOperation();

        _writer.Publish();
        ParsedBatch batch = ParsedBatch.Parse(_output.Batches[^1]);
        Assert.Equal([(BatchRecord.Folded, 5L)], batch.Records);
        Assert.Equal(2, batch.FoldedPairs);
    }

    [Fact]
    public void An_id_below_the_fold_floor_is_written_as_an_allocation_and_a_free()
    {
        // The rundown's walk may have reported every id handed out before it ended.
        var ids = new FakeIds(4_000_001);
        var writer = new BatchWriter(_session, ids);
        long first = ids.HandOut();
        Assert.True(_session.BeginWalk());
        _session.EndWalk();
        long second = ids.HandOut();
        writer.Allocated(first, 64, 5, AllocationFamily.Pool);
        writer.Freed(first, 64, 5, AllocationFamily.Pool);
        writer.Allocated(second, 64, 5, AllocationFamily.Pool);
        writer.Freed(second, 64, 5, AllocationFamily.Pool);
        writer.FlushFolds();
        writer.Publish();

        (_, _, var records) = ParsedBatch.Parse(Assert.Single(_output.Batches));
        Assert.Equal([(BatchRecord.Allocated, 4_000_001L), (BatchRecord.Freed, 4_000_001L), (BatchRecord.Folded, 5L)], records);
    }

    [Fact]
    public void A_pending_allocation_is_either_folded_by_its_owner_or_taken_by_a_consumer_never_both()
    {
        // Real threads: the owner folds alloc/free pairs as fast as it can (no atomic instruction on its side) while a
        // consumer publishes every writer over and over, taking whatever allocation is pending at that moment. A taken
        // allocation must get its free as a record; a folded one must appear in no record at all. (With the owner's checks
        // of the consumers' takes removed, 3 M pairs caught the slot both folded and published in 1 run of 3 here.)
        const int Pairs = 10_000_000;
        var ids = new FakeIds(5_000_001);
        BatchWriter writer = null!;
        using var created = new ManualResetEventSlim();
        int ownerDone = 0;
        var owner = new Thread(() =>
        {
            writer = new BatchWriter(_session, ids);
            created.Set();
            for (int i = 0; i < Pairs; i++)
            {
                // The allocator's record steps: each ends with the writer's signal (a fold that read it unchanged skips that).
                long id = ids.HandOut();
                writer.Allocated(id, 64, 9, AllocationFamily.Pool);
                writer.EndOperation();
                if (!writer.Freed(id, 64, 9, AllocationFamily.Pool))
                {
                    writer.EndOperation();
                }
            }

            Volatile.Write(ref ownerDone, 1);
        });
        owner.Start();
        Assert.True(created.Wait(TimeSpan.FromSeconds(30)));
        int publishes = 0;
        while (Volatile.Read(ref ownerDone) == 0)
        {
            _session.PublishAll();
            publishes++;
        }

        Assert.True(owner.Join(TimeSpan.FromSeconds(60)));

        // The owner is gone: its folds can be flushed from here.
        writer.FlushFolds();
        writer.Publish();
        long writerId = ParsedBatch.Parse(_output.Batches[^1]).Writer;
        List<ParsedBatch> batches = _output.Batches.Select(ParsedBatch.Parse).Where(b => b.Writer == writerId).ToList();
        List<long> allocated = batches.SelectMany(b => b.Records).Where(r => r.Tag == BatchRecord.Allocated).Select(r => r.Key).ToList();
        List<long> freed = batches.SelectMany(b => b.Records).Where(r => r.Tag == BatchRecord.Freed).Select(r => r.Key).ToList();
        long folded = batches.Sum(b => b.FoldedPairs);

        Assert.True(publishes > 0);
        Assert.Equal(allocated.Count, allocated.Distinct().Count());
        Assert.Equal(allocated.Order(), freed.Order());
        Assert.Equal(Pairs, allocated.Count + folded);
    }

    [Fact]
    public void A_thread_heaps_fold_floor_covers_every_id_it_has_handed_out()
    {
        void* block = PoolHeap.Malloc(16);
        long lastId = ((BlockHeader*)block - 1)->AllocationId;
        PoolHeap.Free(block);

        // A writer created after the block never folds it, nor does one whose floor a walk raised.
        var writer = new BatchWriter(_session, ThreadHeap.Current);
        Assert.True(writer.FoldFloor > lastId);
        Assert.True(_session.BeginWalk());
        _session.EndWalk();
        Assert.True(writer.FoldFloor > lastId);
    }
}
