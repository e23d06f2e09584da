namespace LeakScope.Allocator.Tests.Batching;

/// <summary>Tests of the high-rate mode's process-wide state (publisher output, retention ring, folding flag) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BatchingCollection
{
    public const string Name = "Batching";
}
