using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// One heartbeat: the target's authoritative counts, and whether the tracer's live account agreed with them
/// at that point of the stream (<see cref="RecordsBefore"/> records into it).
/// </summary>
public sealed record HeartbeatSample(long Sequence, FamilyCounts TargetRaw, FamilyCounts TargetPool, FamilyCounts TracerRaw, FamilyCounts TracerPool, bool Final, long RecordsBefore)
{
    /// <summary>The account equalled the target's counts within <see cref="AnalysisEngine.InFlightWindow"/> records of this heartbeat's position (an operation on another thread can straddle the snapshot).</summary>
    public bool MatchedInFlight { get; init; }

    public bool Matches => MatchedInFlight || (TargetRaw.SameLive(TracerRaw) && TargetPool.SameLive(TracerPool));
}
