namespace LeakScope.Allocator.Tests;

/// <summary>
/// The owned-memory tests flip the process-wide misuse policy, force garbage collections, listen to the process-wide
/// event source and start child processes; they run in this collection, which xunit runs after every parallel
/// collection and alone, so they neither disturb nor are disturbed by tests that diff global <see cref="HeapStats"/>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OwnedMemoryCollection
{
    public const string Name = "Owned memory (serial)";
}
