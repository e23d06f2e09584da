namespace LeakScope.Tracer.Analysis;

/// <summary>
/// How a live session's detach went (docs/reliability.md, "Detach"): the target confirmed its flush and the account was
/// cut at the heartbeat it named (<see cref="HeartbeatSequence"/>), or it did not, and <see cref="Failure"/> says why.
/// </summary>
public sealed record DetachStatus(long? HeartbeatSequence, string? Failure)
{
    /// <summary>The target answered, and the heartbeat after its answer was read: the account ends there.</summary>
    public bool Confirmed => HeartbeatSequence is not null;

    /// <summary>The target confirmed its flush; the account ends at heartbeat <paramref name="heartbeatSequence"/>.</summary>
    public static DetachStatus ConfirmedAt(long heartbeatSequence) => new(heartbeatSequence, null);

    /// <summary>No confirmation came; <paramref name="failure"/> says why (for the report's reasons).</summary>
    public static DetachStatus Unconfirmed(string failure) => new(null, failure);
}
