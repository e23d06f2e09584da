namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>Where a writer's owner takes its allocation ids: the next one it will hand out bounds what a walk may have seen.</summary>
internal interface IAllocationIdSource
{
    /// <summary>The next id the owner will hand out, read with acquire semantics.</summary>
    long NextId { get; }
}
