using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Reporting;

/// <summary>The contract strings (docs/json-report.md): finding kinds (from <see cref="FindingKinds"/>) and families as every report format spells them.</summary>
public static class ReportNames
{
    /// <summary>The contract string of a kind, from its entry in <see cref="FindingKinds"/>.</summary>
    public static string Kind(FindingKind kind) => FindingKinds.Name(kind);

    /// <summary>Every finding kind, in <see cref="FindingKind"/> order.</summary>
    public static IReadOnlyList<FindingKind> AllKinds { get; } = FindingKinds.All.Select(k => k.Kind).ToArray();

    /// <summary>The kind a contract string names (<c>leak</c>, <c>mismatched-free</c>, …), case-insensitively.</summary>
    public static bool TryParseKind(string text, out FindingKind kind) => FindingKinds.TryParse(text, out kind);

    /// <summary>A family as reports spell it: <c>raw</c>, <c>pool</c>, <c>unknown</c>.</summary>
    public static string Family(HeapFamily family) => family switch
    {
        HeapFamily.Raw => "raw",
        HeapFamily.Pool => "pool",
        HeapFamily.Native => "native",
        HeapFamily.Aligned => "aligned",
        HeapFamily.HGlobal => "hglobal",
        HeapFamily.CoTaskMem => "cotaskmem",
        _ => "unknown",
    };

    /// <summary>How a stream ended, as reports spell it: <c>target-exited</c>, <c>duration</c>, <c>cancelled</c>, <c>end-of-file</c>.</summary>
    public static string End(StreamEnd end) => end switch
    {
        StreamEnd.TargetExited => "target-exited",
        StreamEnd.Duration => "duration",
        StreamEnd.Cancelled => "cancelled",
        StreamEnd.EndOfFile => "end-of-file",
        _ => end.ToString(),
    };

    /// <summary>A heartbeat verdict as reports spell it: <c>verified</c>, <c>mismatch</c>, <c>no-heartbeat</c>, <c>no-final-heartbeat</c>.</summary>
    public static string Verdict(HeartbeatVerdict verdict) => verdict switch
    {
        HeartbeatVerdict.Verified => "verified",
        HeartbeatVerdict.Mismatch => "mismatch",
        HeartbeatVerdict.NoHeartbeat => "no-heartbeat",
        HeartbeatVerdict.NoFinalHeartbeat => "no-final-heartbeat",
        _ => verdict.ToString(),
    };

    /// <summary>What became of the exit file, as reports spell it: <c>none</c>, <c>read</c>, <c>empty</c>, <c>malformed</c>, <c>withdrawn</c>.</summary>
    public static string ExitFile(ExitFileStatus status) => status switch
    {
        ExitFileStatus.NotRequested => "none",
        ExitFileStatus.Read => "read",
        ExitFileStatus.Empty => "empty",
        ExitFileStatus.Malformed => "malformed",
        ExitFileStatus.Withdrawn => "withdrawn",
        _ => status.ToString(),
    };
}
