using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// One heartbeat: the target's authoritative counts, and whether the tracer's live account agreed with them
/// at that point of the stream (<see cref="RecordsBefore"/> records into it).
/// </summary>
public sealed record HeartbeatSample(long Sequence, FamilyCounts TargetRaw, FamilyCounts TargetPool, FamilyCounts TracerRaw, FamilyCounts TracerPool, bool Final, long RecordsBefore)
{
    /// <summary>
    /// The account equalled the target's counts at this heartbeat's own position other than the point it was read at:
    /// in a high-rate stream, the read point plus a prefix of each writer's next batch (<see cref="HeartbeatPosition"/>);
    /// with per-operation events, within <see cref="AnalysisEngine.InFlightWindow"/> block records of the read point.
    /// </summary>
    public bool MatchedInFlight { get; init; }

    /// <summary>The tracer's live account equalled the target's counts at this heartbeat (at its read point, or in flight).</summary>
    public bool Matches => MatchedInFlight || (TargetRaw.SameLive(TracerRaw) && TargetPool.SameLive(TracerPool));
}
