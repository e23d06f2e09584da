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

    /// <summary>The target's counts of the tracked system families (empty from an allocator whose heartbeat carries raw and pool only).</summary>
    public IReadOnlyList<KeyValuePair<HeapFamily, FamilyCounts>> TargetTracked { get; init; } = [];

    /// <summary>The tracer's account of the same families as <see cref="TargetTracked"/>, at the same point.</summary>
    public IReadOnlyList<KeyValuePair<HeapFamily, FamilyCounts>> TracerTracked { get; init; } = [];

    /// <summary>
    /// The tracer's live account equalled the target's counts at this heartbeat: every family's at its read point (the
    /// final heartbeat's at the end), or raw and pool in flight (a match in flight does not re-check the tracked families;
    /// the final heartbeat does).
    /// </summary>
    public bool Matches => MatchedInFlight || (TargetRaw.SameLive(TracerRaw) && TargetPool.SameLive(TracerPool) && TrackedMatch);

    /// <summary>Every tracked family's live blocks and bytes agree (vacuously true when the target sent none).</summary>
    public bool TrackedMatch => TargetTracked.All(t => t.Value.SameLive(TracerOf(t.Key)));

    /// <summary>The tracer's account of one tracked family at this heartbeat (zero when it saw none of its blocks).</summary>
    public FamilyCounts TracerOf(HeapFamily family) => TracerTracked.FirstOrDefault(t => t.Key == family).Value;
}
