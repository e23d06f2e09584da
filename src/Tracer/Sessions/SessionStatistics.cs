using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// What the source measured while reading one stream. <see cref="StopToEnd"/>: from telling the session to
/// stop to the stream's end (detach only); <see cref="JudgeTime"/>: judging alone; <see cref="EndToJudged"/>:
/// from the stream's end (at target exit: the moment the runtime shut the session down) to the judged result,
/// including the wait for the exit file.
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

    /// <summary>The session asked for per-operation events instead of the high-rate batches.</summary>
    public bool PerOperation { get; init; }

    /// <summary>What became of the exit file.</summary>
    public ExitFileStatus ExitFile { get; init; }

    /// <summary>From the stream's end to the judged result (exit file wait included).</summary>
    public TimeSpan? EndToJudged { get; init; }

    /// <summary>EventPipe's buffer size in the target, in MB (0 for a recorded trace).</summary>
    public int BufferSizeMB { get; init; }

    /// <summary>Why the <c>--nettrace</c> recording is incomplete (it could not be written to its end), or null.</summary>
    public string? RecordingError { get; init; }

    /// <summary>What the stack sources gave (<c>--stacks</c>), or null when none carried a stack.</summary>
    public StackStatistics? Stacks { get; init; }

    /// <summary>Events read per second of the reading thread's wall time.</summary>
    public double EventsPerSecond => ReadTime.TotalSeconds > 0 ? EventsRead / ReadTime.TotalSeconds : 0;
}
