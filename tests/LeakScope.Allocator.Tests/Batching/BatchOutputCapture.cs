using LeakScope.Allocator.Diagnostics.Batching;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>Collects published batches instead of writing events.</summary>
internal sealed unsafe class BatchOutputCapture : IBatchOutput
{
    public List<byte[]> Batches { get; } = new();

    public void Write(byte* records, int length)
    {
        lock (Batches)
        {
            Batches.Add(new ReadOnlySpan<byte>(records, length).ToArray());
        }
    }
}
