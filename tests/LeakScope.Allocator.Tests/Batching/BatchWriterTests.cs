using System.Buffers.Binary;
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

    /// <summary>(tag, id or site) of every record after the header; the header's (writer, sequence).</summary>
    private static (long Writer, long Sequence, List<(byte Tag, long Key)> Records) Parse(byte[] batch)
    {
        int p = 0;
        Assert.Equal(BatchRecord.Header, batch[p++]);
        long writer = (long)Varint(batch, ref p);
        long sequence = (long)Varint(batch, ref p);
        var records = new List<(byte, long)>();
        while (p < batch.Length)
        {
            byte tag = batch[p++];
            switch (tag)
            {
                case BatchRecord.Allocated:
                    records.Add((tag, BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p))));
                    p += 8;
                    Varint(batch, ref p);
                    Varint(batch, ref p);
                    p++;
                    break;
                case BatchRecord.Freed:
                    records.Add((tag, BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(p))));
                    p += 8;
                    break;
                case BatchRecord.Folded:
                    records.Add((tag, (long)Varint(batch, ref p)));
                    p++;
                    Varint(batch, ref p);
                    Varint(batch, ref p);
                    break;
                default:
                    throw new InvalidOperationException($"tag {tag}");
            }
        }

        return (writer, sequence, records);
    }

    private static ulong Varint(byte[] bytes, ref int p)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[p++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    [Fact]
    public void Every_batch_starts_with_the_writers_header_and_the_next_sequence_number()
    {
        _writer.Allocated(1_000_001, 64, 3, AllocationFamily.Pool);
        _writer.Publish();
        _writer.Allocated(1_000_002, 64, 3, AllocationFamily.Pool);
        _writer.Publish();

        (long writer1, long sequence1, var records1) = Parse(_output.Batches[0]);
        (long writer2, long sequence2, _) = Parse(_output.Batches[1]);
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

        (_, _, var records) = Parse(Assert.Single(_output.Batches));
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
        (_, _, var records) = Parse(_output.Batches[^1]);
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

        (_, _, var records) = Parse(Assert.Single(_output.Batches));
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
