using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Sessions;

/// <summary>How to run a live trace.</summary>
public sealed record TraceOptions
{
    public static readonly TraceOptions Default = new();

    /// <summary>Detach after this long (the target keeps running; launched targets are stopped). Null: until the target exits or cancellation.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>EventPipe's buffer in the target, in MB (≈ 150 B per event; 256 MB took 3 M events/s without loss).</summary>
    public int BufferSizeMB { get; init; } = 256;

    /// <summary>Also keep the raw event stream in this <c>.nettrace</c> file, readable by <c>leakscope analyze</c>, PerfView and TraceEvent.</summary>
    public string? NetTracePath { get; init; }

    /// <summary>The longest wait for the stream to end after the session was told to stop.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public AnalysisOptions Analysis { get; init; } = AnalysisOptions.Default;

    /// <summary>Receives periodic snapshots while the trace runs (a live view); null: none are taken.</summary>
    public TraceMonitor? Monitor { get; init; }
}
