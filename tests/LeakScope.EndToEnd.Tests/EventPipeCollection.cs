namespace LeakScope.EndToEnd.Tests;

/// <summary>End-to-end tests run one at a time: each starts real processes and sessions on a small machine. One real trace of MisuseDemo, in every format, is shared.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EventPipeCollection : ICollectionFixture<MisuseDemoRecording>
{
    public const string Name = "EventPipe";
}
