using LeakScope.Allocator.Diagnostics.Batching;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>
/// One thread's writer, its output redirected: the batch header and its sequence, folding of an alloc/free pair, and
/// the two rules that keep a block a rundown reported from folding away (suspension during the walk, the fold floor).
/// </summary>
[Collection(BatchingCollection.Name)]
public sealed unsafe class BatchWriterTests : IDisposable
{
    private readonly BatchOutputCapture _output = new();
    private readonly BatchWriter _writer = new();
    private readonly ThreadHeap _heap = ThreadHeap.Current;
    private readonly long _floor;

    public BatchWriterTests()
    {
        _floor = Volatile.Read(ref _heap.FoldFloor);
        BatchPublisher.RedirectTo(_output);
    }

    public void Dispose()
    {
        BatchPublisher.RedirectTo(new EventSourceBatchOutput());
        Volatile.Write(ref _heap.FoldFloor, _floor);
        BatchPublisher.Unregister(_writer);
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
        Volatile.Write(ref _heap.FoldFloor, 0);
        _writer.Allocated(2_000_001, 64, 5, AllocationFamily.Pool);
        _writer.Freed(_heap, 2_000_001, 64, 5, AllocationFamily.Pool);
        _writer.FlushFolds();
        _writer.Publish();

        (_, _, var records) = ParsedBatch.Parse(Assert.Single(_output.Batches));
        Assert.Equal([(BatchRecord.Folded, 5L)], records);
    }

    [Fact]
    public void Nothing_folds_while_a_rundown_walks_the_heap()
    {
        Volatile.Write(ref _heap.FoldFloor, 0);
        BatchPublisher.SuspendFolding();
        try
        {
            _writer.Allocated(3_000_001, 64, 5, AllocationFamily.Pool);
            _writer.Freed(_heap, 3_000_001, 64, 5, AllocationFamily.Pool);
        }
        finally
        {
            Volatile.Write(ref BatchPublisher.FoldingSuspended, false);
        }

        _writer.Publish();
        (_, _, var records) = ParsedBatch.Parse(_output.Batches[^1]);
        Assert.Equal([(BatchRecord.Allocated, 3_000_001L), (BatchRecord.Freed, 3_000_001L)], records);
    }

    [Fact]
    public void An_id_below_the_fold_floor_is_written_as_an_allocation_and_a_free()
    {
        // The rundown's walk may have reported every id handed out before it ended.
        Volatile.Write(ref _heap.FoldFloor, 4_000_002);
        _writer.Allocated(4_000_001, 64, 5, AllocationFamily.Pool);
        _writer.Freed(_heap, 4_000_001, 64, 5, AllocationFamily.Pool);
        _writer.Allocated(4_000_002, 64, 5, AllocationFamily.Pool);
        _writer.Freed(_heap, 4_000_002, 64, 5, AllocationFamily.Pool);
        _writer.FlushFolds();
        _writer.Publish();

        (_, _, var records) = ParsedBatch.Parse(Assert.Single(_output.Batches));
        Assert.Equal([(BatchRecord.Allocated, 4_000_001L), (BatchRecord.Freed, 4_000_001L), (BatchRecord.Folded, 5L)], records);
    }

    [Fact]
    public void Raising_the_fold_floors_covers_every_id_a_thread_has_handed_out()
    {
        void* block = PoolHeap.Malloc(16);
        long lastId = ((BlockHeader*)block - 1)->AllocationId;
        PoolHeap.Free(block);

        ThreadHeap.RaiseFoldFloors();

        Assert.True(Volatile.Read(ref _heap.FoldFloor) > lastId);
    }
}
