using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>A stream after mutation, with what its source would tell the engine about it.</summary>
internal sealed class MutatedStream(List<WireEvent> events)
{
    public List<WireEvent> Events { get; } = events;

    /// <summary>EventPipe's lost-event count: honest drops are counted here, silent corruption is not.</summary>
    public long EventsLost { get; set; }

    public bool CleanEnd { get; set; } = true;

    public StreamEnd End { get; set; } = StreamEnd.TargetExited;

    /// <summary>An event now claims a schema version newer than the decoder's.</summary>
    public bool HasNewerVersion { get; set; }

    public List<string> Applied { get; } = new();

    public override string ToString() =>
        $"{Events.Count} events, lost {EventsLost}, clean end {CleanEnd}, end {End}; mutations: {(Applied.Count == 0 ? "none" : string.Join(", ", Applied))}";
}
