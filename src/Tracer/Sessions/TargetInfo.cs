namespace LeakScope.Tracer.Sessions;

/// <summary>The traced process, as the report names it. <see cref="ExitCode"/> only for a launched target that exited by itself.</summary>
public sealed record TargetInfo(int Pid, string Command)
{
    /// <summary>The exit code of a launched target that exited by itself (128 + N for death by signal N); null otherwise.</summary>
    public int? ExitCode { get; init; }

    /// <summary>A launched target the tracer stopped (after its duration or on cancellation).</summary>
    public bool KilledByTracer { get; init; }
}
