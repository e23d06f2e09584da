using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Tests.Fuzzing;

namespace LeakScope.Tracer.Tests.Decoding;

/// <summary>
/// Block sizes are <c>nuint</c>s the allocator handed out: a negative size, or one beyond any address space, can only
/// come from a corrupt payload. It is counted as undecodable instead of driving the live account below zero.
/// </summary>
public class ImpossibleSizeTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    [InlineData(-4096)]
    [InlineData(PayloadReader.MaxBlockSize + 1)]
    [InlineData(long.MaxValue)]
    public void An_impossible_block_size_is_counted_as_corrupt_and_never_reaches_the_account(long size)
    {
        object[] records =
        [
            new BlockAllocated(new AllocationId(1), 0x1000, size, new SiteId(1), HeapFamily.Raw),
            new BlockFreed(new AllocationId(1), 0x1000, size, new SiteId(1), HeapFamily.Raw),
            new BlockReallocated(new AllocationId(1), 0x1000, size, HeapFamily.Raw, new AllocationId(2), 0x2000, 16, HeapFamily.Raw, new SiteId(1)),
            new BlockReallocated(new AllocationId(1), 0x1000, 16, HeapFamily.Raw, new AllocationId(2), 0x2000, size, HeapFamily.Raw, new SiteId(1)),
            new RundownBlock(new AllocationId(1), 0x1000, size, new SiteId(1), HeapFamily.Raw),
            new MisuseReported(MisuseKind.DoubleFree, HeapFamily.Raw, HeapFamily.Raw, new AllocationId(1), 0x1000, size, new SiteId(1), new SiteId(1)),
            new OwnerFinalized(new OwnerId(1), OwnerKind.NativeArray, new SiteId(1), new AllocationId(1), size, HeapFamily.Raw),
        ];

        foreach (object record in records)
        {
            WireEvent e = WireEncoder.Encode(record);
            var sink = new CountingSink();
            var decoder = new RecordDecoder(sink);
            decoder.Decode(e.EventId, e.Version, e.Payload);
            Assert.True(sink.Records == 0 && decoder.Statistics.Truncated == 1, $"{record} was decoded");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(PayloadReader.MaxBlockSize)]
    public void Every_possible_size_decodes(long size)
    {
        WireEvent e = WireEncoder.Encode(new BlockAllocated(new AllocationId(1), 0x1000, size, new SiteId(1), HeapFamily.Raw));
        var sink = new CountingSink();
        new RecordDecoder(sink).Decode(e.EventId, e.Version, e.Payload);
        Assert.Equal(size, Assert.IsType<BlockAllocated>(sink.Last).Size);
    }
}
