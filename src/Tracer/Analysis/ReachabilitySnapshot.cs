namespace LeakScope.Tracer.Analysis;

/// <summary>
/// What a heap snapshot said about the blocks live in it (docs/reachability.md): a verdict per block, and what it
/// cost. Handed to <see cref="AnalysisEngine.ApplyReachability"/>; the engine judges the blocks still live at the end
/// of the stream by it.
/// </summary>
public sealed record ReachabilitySnapshot(IReadOnlyList<BlockVerdict> Verdicts)
{
    /// <summary>Managed objects the snapshot scanned.</summary>
    public long Objects { get; init; }

    /// <summary>Bytes of the managed heap (the objects' sizes).</summary>
    public long ManagedBytes { get; init; }

    /// <summary>Bytes of the heap dump written for the snapshot.</summary>
    public long DumpBytes { get; init; }

    /// <summary>Time to write the dump (the target is held, or paused by the runtime, meanwhile).</summary>
    public TimeSpan DumpTime { get; init; }

    /// <summary>Time to read the dump and classify every block.</summary>
    public TimeSpan AnalysisTime { get; init; }

    /// <summary>The dump kept for the user (<c>--keep-dump</c>), or null when it was deleted.</summary>
    public string? KeptDump { get; init; }
}
