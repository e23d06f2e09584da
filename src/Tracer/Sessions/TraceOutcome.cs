using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Sessions;

/// <summary>Everything a front end needs to write reports: the judgement, the target, and the session's own numbers.</summary>
public sealed record TraceOutcome(AnalysisResult Analysis, TargetInfo Target, SessionStatistics Session)
{
    /// <summary>
    /// False when the stream carried nothing of the allocator: not one <c>LeakScope-Allocator</c> event (no rundown, no
    /// heartbeat, no record), no exit file, and no event lost that could have been one. An allocator that is loaded
    /// answers an enabled session with its rundown and a heartbeat within 100 ms, so such a target does not use
    /// LeakScope.Allocator (or did not before the trace ended), and "no findings" would be a verdict on nothing.
    /// </summary>
    public bool AllocatorSeen =>
        Session.EventsRead - Session.Decoder.OtherProviders > 0
        || Session.ExitFile is ExitFileStatus.Read or ExitFileStatus.Malformed
        || Session.EventsLost > 0
        || Analysis.Statistics.Heartbeats > 0;
}
