using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Reporting;

/// <summary>The contract strings of DESIGN.md: finding kinds and families as every report format spells them.</summary>
public static class ReportNames
{
    public static string Kind(FindingKind kind) => kind switch
    {
        FindingKind.Leak => "leak",
        FindingKind.Growth => "growth",
        FindingKind.MismatchedFree => "mismatched-free",
        FindingKind.DoubleFree => "double-free",
        FindingKind.InvalidFree => "invalid-free",
        FindingKind.ResizeWithViews => "resize-with-views",
        FindingKind.ViewLeak => "view-leak",
        FindingKind.OwnerFinalized => "owner-finalized",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Every finding kind, in <see cref="FindingKind"/> order.</summary>
    public static IReadOnlyList<FindingKind> AllKinds { get; } = Enum.GetValues<FindingKind>();

    /// <summary>The kind a contract string names (<c>leak</c>, <c>mismatched-free</c>, …), case-insensitively.</summary>
    public static bool TryParseKind(string text, out FindingKind kind)
    {
        foreach (FindingKind candidate in AllKinds)
        {
            if (string.Equals(Kind(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    public static string Family(HeapFamily family) => family switch
    {
        HeapFamily.Raw => "raw",
        HeapFamily.Pool => "pool",
        _ => "unknown",
    };

    public static string End(StreamEnd end) => end switch
    {
        StreamEnd.TargetExited => "target-exited",
        StreamEnd.Duration => "duration",
        StreamEnd.Cancelled => "cancelled",
        StreamEnd.EndOfFile => "end-of-file",
        _ => end.ToString(),
    };

    public static string Verdict(HeartbeatVerdict verdict) => verdict switch
    {
        HeartbeatVerdict.Verified => "verified",
        HeartbeatVerdict.Mismatch => "mismatch",
        HeartbeatVerdict.NoHeartbeat => "no-heartbeat",
        HeartbeatVerdict.NoFinalHeartbeat => "no-final-heartbeat",
        _ => verdict.ToString(),
    };
}
