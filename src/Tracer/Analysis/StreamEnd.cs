namespace LeakScope.Tracer.Analysis;

/// <summary>Why the event stream ended.</summary>
public enum StreamEnd
{
    /// <summary>The target process exited (or died) and its stream closed.</summary>
    TargetExited,

    /// <summary>The tracer detached after its duration; the target kept running.</summary>
    Duration,

    /// <summary>The tracer was cancelled (Ctrl+C, SIGTERM) and detached.</summary>
    Cancelled,

    /// <summary>A recorded trace file was read to its end.</summary>
    EndOfFile,
}
