using LeakScope.Tracer.Decoding;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// What the source measured while reading one stream. <see cref="StopToEnd"/>: from telling the session to
/// stop to the stream's end (detach only); <see cref="JudgeTime"/>: from the stream's end to the judged result.
/// </summary>
public sealed record SessionStatistics(
    long EventsRead,
    long EventsLost,
    DecoderStatistics Decoder,
    TimeSpan ReadTime,
    TimeSpan? StopToEnd,
    TimeSpan JudgeTime,
    bool StreamBroken)
{
    /// <summary>When each heartbeat was read, in seconds since the trace started (by heartbeat index; may be shorter than the heartbeats).</summary>
    public IReadOnlyList<double> HeartbeatSeconds { get; init; } = [];

    /// <summary>Events read per second of the reading thread's wall time.</summary>
    public double EventsPerSecond => ReadTime.TotalSeconds > 0 ? EventsRead / ReadTime.TotalSeconds : 0;
}
