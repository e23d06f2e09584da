using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// One point of the live-bytes time series: a heartbeat's sequence number, when it was read (seconds since the trace
/// started; <see cref="Estimated"/> when no timestamp was recorded for it and it was placed 100 ms per heartbeat from
/// the last known one), and the target's own counts per family.
/// </summary>
public sealed record LivePoint(long Sequence, double Seconds, bool Estimated, FamilyCounts Raw, FamilyCounts Pool)
{
    /// <summary>The allocator's heartbeat period.</summary>
    public const double HeartbeatSeconds = 0.1;

    /// <summary>The target's counts of the tracked system families at this heartbeat (empty from an allocator that sends raw and pool only).</summary>
    public IReadOnlyList<KeyValuePair<HeapFamily, FamilyCounts>> Tracked { get; init; } = [];

    /// <summary>Live bytes of every family.</summary>
    public long LiveBytes => Raw.LiveBytes + Pool.LiveBytes + Tracked.Sum(t => t.Value.LiveBytes);

    /// <summary>The counts of one family at this heartbeat (zero for a family it carries none of).</summary>
    public FamilyCounts Of(HeapFamily family) => family switch
    {
        HeapFamily.Raw => Raw,
        HeapFamily.Pool => Pool,
        _ => Tracked.FirstOrDefault(t => t.Key == family).Value,
    };

    internal static IReadOnlyList<LivePoint> Series(IReadOnlyList<HeartbeatSample> heartbeats, IReadOnlyList<double> seconds, int maxPoints)
    {
        var points = new List<LivePoint>(Math.Min(heartbeats.Count, maxPoints));
        if (heartbeats.Count == 0)
        {
            return points;
        }

        double stride = heartbeats.Count <= maxPoints ? 1 : (heartbeats.Count - 1) / (double)(maxPoints - 1);
        double lastTime = 0;
        long lastSequence = heartbeats[0].Sequence;
        int next = 0;
        for (int i = 0; i < heartbeats.Count; i++)
        {
            HeartbeatSample h = heartbeats[i];
            bool known = i < seconds.Count;
            double time = known ? seconds[i] : lastTime + ((h.Sequence - lastSequence) * HeartbeatSeconds);
            lastTime = time;
            lastSequence = h.Sequence;
            if (i == (int)Math.Round(next * stride) || i == heartbeats.Count - 1)
            {
                points.Add(new LivePoint(h.Sequence, Math.Round(time, 3), !known, h.TargetRaw, h.TargetPool) { Tracked = h.TargetTracked });
                next++;
            }
        }

        return points;
    }
}
