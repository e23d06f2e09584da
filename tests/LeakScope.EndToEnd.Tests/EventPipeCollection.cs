namespace LeakScope.EndToEnd.Tests;

/// <summary>End-to-end tests run one at a time: each starts real processes and sessions on a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EventPipeCollection
{
    public const string Name = "EventPipe";
}
