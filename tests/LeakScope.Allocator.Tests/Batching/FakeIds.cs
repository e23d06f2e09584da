using LeakScope.Allocator.Diagnostics.Batching;

namespace LeakScope.Allocator.Tests.Batching;

/// <summary>An owner's allocation ids, handed out by the test: <see cref="HandOut"/> is the moment a block becomes live in the heap.</summary>
internal sealed class FakeIds(long first) : IAllocationIdSource
{
    private long _next = first;

    public long NextId => _next;

    public long HandOut() => _next++;
}
