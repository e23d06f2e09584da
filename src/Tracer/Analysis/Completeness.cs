using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// Whether the account is provably exact, and if not, why and which figures to doubt.
/// <see cref="Complete"/> is true only when no event was lost, every event decoded, every free matched a
/// known block, and the target's own heartbeat counts equal the tracer's live account (see docs/analysis.md).
/// </summary>
public sealed record Completeness(
    bool Complete,
    long EventsLost,
    long UndecodableEvents,
    long UntrackedFrees,
    long UntrackedBytes,
    HeartbeatVerdict Heartbeat,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> UncertainFigures)
{
    /// <summary>What a reader of a complete account should know about how a figure was established (not a reason against it).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The target's counts from the heartbeat the verdict is based on (null without heartbeats).</summary>
    public HeartbeatSample? CheckedAgainst { get; init; }

    /// <summary>Records that came after <see cref="CheckedAgainst"/> (all delivered when the verdict is Verified).</summary>
    public long RecordsAfterCheck { get; init; }
}
