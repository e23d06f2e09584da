namespace LeakScope.Allocator.Tests.Support;

/// <summary>
/// Tests that need the process-wide allocator state to themselves: exact <see cref="HeapStats"/>
/// counts, the misuse policy, an event listener on the source, the meter. xunit runs this collection
/// after every parallel one, one test at a time, so nothing else allocates meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideAllocatorState
{
    public const string Name = "Process-wide allocator state";
}
