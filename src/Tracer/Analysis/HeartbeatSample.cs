using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// One heartbeat: the target's authoritative counts, and whether the tracer's live account agreed with them
/// at that point of the stream (<see cref="RecordsBefore"/> records into it).
/// </summary>
public sealed record HeartbeatSample(long Sequence, FamilyCounts TargetRaw, FamilyCounts TargetPool, FamilyCounts TracerRaw, FamilyCounts TracerPool, bool Final, long RecordsBefore)
{
    public bool Matches => TargetRaw.SameLive(TracerRaw) && TargetPool.SameLive(TracerPool);
}
