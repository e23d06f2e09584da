using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>The completeness rule (docs/analysis.md): complete only when provably exact.</summary>
public sealed partial class AnalysisEngine
{
    /// <summary>Without a final heartbeat, one of this many last heartbeats must agree with the account.</summary>
    internal const int RecentHeartbeatsChecked = 3;

    private Completeness JudgeCompleteness(StreamSummary stream)
    {
        var reasons = new List<string>();
        var uncertain = new List<string>();
        var untracked = _heap.Untracked();

        if (stream.EventsLost > 0)
        {
            reasons.Add($"{stream.EventsLost} events were lost by EventPipe (buffer overrun)");
            uncertain.Add("leaked blocks and bytes: a lost free shows as a leak");
            uncertain.Add("findings counts: lost misuse events are missing");
        }

        if (stream.MissingBatches > 0)
        {
            reasons.Add($"{stream.MissingBatches} batches of high-rate records never arrived (gaps in their threads' batch sequence numbers)");
            uncertain.Add("leaked blocks and bytes: a lost free shows as a leak");
        }

        if (stream.UndecodableEvents > 0)
        {
            reasons.Add($"{stream.UndecodableEvents} LeakScope-Allocator events could not be decoded");
            uncertain.Add("live account: undecoded events are not in it");
        }

        if (untracked.Count > 0)
        {
            reasons.Add($"{untracked.Count} frees ({untracked.Bytes} B) of blocks the tracer never saw allocated");
            uncertain.Add("live account: an allocation record is missing for every untracked free");
        }

        if (_heap.DuplicateAllocations > 0 || _heap.DuplicateFrees > 0)
        {
            reasons.Add($"{_heap.DuplicateAllocations} duplicate allocation and {_heap.DuplicateFrees} duplicate free records");
        }

        long unresolvedOwners = _ownership.Unresolved(_heap);
        if (unresolvedOwners > 0)
        {
            reasons.Add($"{unresolvedOwners} view or resize incidents name a buffer whose storage block never arrived: their family and bytes are unknown");
            uncertain.Add("resize-with-views and view-leak findings: family and bytes");
        }

        (HeartbeatVerdict verdict, HeartbeatSample? checkedAgainst) = JudgeHeartbeats(stream, out string? heartbeatReason);
        if (verdict != HeartbeatVerdict.Verified)
        {
            reasons.Add(heartbeatReason!);
            uncertain.Add("live account: not confirmed by the target's own counts");
        }

        var notes = new List<string>();
        if (verdict == HeartbeatVerdict.Verified && checkedAgainst is { Final: true } atEnd && stream.FromProcessStart && _heap.RundownBlocks == 0)
        {
            ReconcileLifetimeCounts(atEnd, reasons, uncertain, notes);
        }

        if (!stream.CleanEnd && _final is not null)
        {
            // A final heartbeat confirms the live account, but whatever the target still had buffered when the stream
            // was cut (misuse, views, owners) is gone uncounted: a cut stream is never complete.
            reasons.Add(stream.End == StreamEnd.TargetExited
                ? "the target's stream was cut without its end (killed or crashed) after its final heartbeat: events it had buffered are missing"
                : "the stream did not end cleanly after the session was stopped: its tail may be missing");
            uncertain.Add("findings counts: events the target had buffered when the stream was cut are missing");
        }

        bool complete = reasons.Count == 0;
        return new Completeness(complete, stream.EventsLost, stream.UndecodableEvents, untracked.Count, untracked.Bytes, verdict, reasons, uncertain.Distinct().ToArray())
        {
            Notes = notes,
            CheckedAgainst = checkedAgainst,
            RecordsAfterCheck = checkedAgainst is null ? 0 : _records - checkedAgainst.RecordsBefore,
        };
    }

    /// <summary>
    /// The session saw the target from its start and its final heartbeat confirmed the live account: the target's lifetime
    /// allocation and free counts must be the account's too. The one known gap is benign: an alloc/free pair folded on a
    /// thread still running at exit (a thread-pool worker that went idle) stays in that thread's counters, never published
    /// (docs/batch-format.md, "Folding"). Such pairs show as equal numbers of allocations and frees missing from a family
    /// whose live figures agree; they are counted from the target's figures, and the report says so. Anything else is a
    /// figure the account got wrong.
    /// </summary>
    private void ReconcileLifetimeCounts(HeartbeatSample atEnd, List<string> reasons, List<string> uncertain, List<string> notes)
    {
        var unpublished = new Dictionary<HeapFamily, long>();
        var wrong = new List<string>();
        foreach ((HeapFamily family, FamilyCounts target) in (KeyValuePair<HeapFamily, FamilyCounts>[])[new(HeapFamily.Raw, atEnd.TargetRaw), new(HeapFamily.Pool, atEnd.TargetPool), .. atEnd.TargetTracked])
        {
            FamilyCounts ours = _heap.Account(family);
            long allocations = target.Allocations - ours.Allocations;
            long frees = target.Frees - ours.Frees;
            if (allocations == 0 && frees == 0)
            {
                continue;
            }

            if (allocations == frees && allocations > 0)
            {
                unpublished[family] = allocations;
            }
            else
            {
                wrong.Add($"{Reporting.ReportNames.Family(family)} target {target.Allocations} allocations / {target.Frees} frees vs tracer {ours.Allocations} / {ours.Frees}");
            }
        }

        if (wrong.Count > 0)
        {
            reasons.Add($"the target's lifetime allocation and free counts disagree with the account: {string.Join("; ", wrong)}");
            uncertain.Add("allocation and free counts per family");
            return;
        }

        if (unpublished.Count > 0)
        {
            _unpublishedPairs = unpublished;
            string families = string.Join(", ", unpublished.Select(u => $"{Reporting.ReportNames.Family(u.Key)} {u.Value:N0}"));
            notes.Add($"{unpublished.Values.Sum():N0} alloc/free pairs ({families}) were folded on threads still running at exit and never published: " +
                "the allocation and free counts include them from the target's final counts; their sites are not in the trace, and no block of theirs is live");
        }
    }

    private (HeartbeatVerdict, HeartbeatSample?) JudgeHeartbeats(StreamSummary stream, out string? reason)
    {
        reason = null;
        FamilyCounts raw = _heap.Account(HeapFamily.Raw);
        FamilyCounts pool = _heap.Account(HeapFamily.Pool);
        if (_final is { } final)
        {
            // Nothing allocates after the final heartbeat: the account at the end must equal it.
            HeartbeatSample atEnd = final with { TracerRaw = raw, TracerPool = pool, TracerTracked = AccountsOf(final.TargetTracked) };
            if (atEnd.Matches)
            {
                return (HeartbeatVerdict.Verified, atEnd);
            }

            reason = $"the final heartbeat disagrees with the account: {Describe(atEnd)}";
            return (HeartbeatVerdict.Mismatch, atEnd);
        }

        HeartbeatSample? last = _heartbeats.Count > 0 ? _heartbeats[^1] : null;
        if (!stream.CleanEnd)
        {
            reason = stream.End == StreamEnd.TargetExited
                ? "the target's stream was cut without its end (killed or crashed): events it had buffered are missing"
                : "the stream did not end cleanly after the session was stopped: its tail may be missing";
            return (HeartbeatVerdict.NoFinalHeartbeat, last);
        }

        if (stream.Detach is { } detach)
        {
            return JudgeDetach(detach, out reason);
        }

        if (last is null)
        {
            reason = "no heartbeat was received: the account cannot be checked against the target's counts";
            return (HeartbeatVerdict.NoHeartbeat, null);
        }

        // Batched: the source asked for it or saw batches, or the target's heartbeats say so (a recording whose batches all
        // went to the exit file carries none).
        if ((stream.Batched || _targetBatches) && stream.End is StreamEnd.TargetExited or StreamEnd.EndOfFile && stream.ExitFile != ExitFileStatus.Read)
        {
            // A clean end proves that every event arrived, not that every record did: in the high-rate mode a thread's
            // last records (up to one heartbeat of work) are still in its buffer when the runtime shuts the session down,
            // and only the exit file carries them.
            reason = $"the target published in batches and {DescribeExitFile(stream.ExitFile)}: records it still buffered at exit (up to one heartbeat of work) may be missing";
            return (HeartbeatVerdict.NoFinalHeartbeat, last);
        }

        // The stream ended cleanly (the runtime flushed every buffer; its sequence numbers count any loss) but
        // without a final heartbeat. A heartbeat near the end that agrees with the account at its own position
        // in the stream proves the account up to there, and the records after it all arrived. Several are
        // allowed because a heartbeat can straddle an operation in flight on another thread.
        HeartbeatSample[] judged = JudgedHeartbeats();
        for (int i = judged.Length - 1; i >= Math.Max(0, judged.Length - RecentHeartbeatsChecked); i--)
        {
            if (judged[i].Matches)
            {
                return (HeartbeatVerdict.Verified, judged[i]);
            }
        }

        reason = $"the last heartbeats disagree with the account: {Describe(last)}";
        return (HeartbeatVerdict.Mismatch, last);
    }

    /// <summary>
    /// A detach from a running target: its threads' last records were still in their buffers when the tracer decided to
    /// stop, so no earlier heartbeat can vouch for the end of the account. Only the heartbeat the target sent with its
    /// flush confirmation can, at its own position; without a confirmation the tail may be missing.
    /// </summary>
    private (HeartbeatVerdict, HeartbeatSample?) JudgeDetach(DetachStatus detach, out string? reason)
    {
        reason = null;
        if (detach.HeartbeatSequence is not { } sequence)
        {
            reason = $"the detach was not confirmed by the target ({detach.Failure}): records it still buffered (up to one heartbeat of work) may be missing";
            return (HeartbeatVerdict.NoFinalHeartbeat, _heartbeats.Count > 0 ? _heartbeats[^1] : null);
        }

        HeartbeatSample[] judged = JudgedHeartbeats();
        for (int i = judged.Length - 1; i >= 0; i--)
        {
            if (judged[i].Sequence == sequence)
            {
                if (judged[i].Matches)
                {
                    return (HeartbeatVerdict.Verified, judged[i]);
                }

                reason = $"the heartbeat that confirmed the detach disagrees with the account: {Describe(judged[i])}";
                return (HeartbeatVerdict.Mismatch, judged[i]);
            }
        }

        reason = $"the heartbeat {sequence} that confirmed the detach was not read";
        return (HeartbeatVerdict.NoFinalHeartbeat, _heartbeats.Count > 0 ? _heartbeats[^1] : null);
    }

    /// <summary>
    /// The heartbeats with the verdict at their own position: in a high-rate stream the last ones are judged now
    /// (<see cref="HeartbeatPosition"/>: their writers' next batches may have arrived after them).
    /// </summary>
    private HeartbeatSample[] JudgedHeartbeats()
    {
        HeartbeatSample[] samples = _heartbeats.ToArray();
        foreach (HeartbeatPosition position in _positions)
        {
            HeartbeatSample sample = samples[position.HeartbeatIndex];
            if (!sample.Matches && position.Verified())
            {
                samples[position.HeartbeatIndex] = sample with { MatchedInFlight = true };
            }
        }

        return samples;
    }

    private static string DescribeExitFile(ExitFileStatus status) => status switch
    {
        ExitFileStatus.Empty => "it wrote no exit file",
        ExitFileStatus.Malformed => "its exit file could not be read",
        ExitFileStatus.Withdrawn => "its exit file was withdrawn",
        _ => "no exit file came with the trace",
    };

    private static string Describe(HeartbeatSample s)
    {
        var parts = new List<string>();
        if (!s.TargetRaw.SameLive(s.TracerRaw))
        {
            parts.Add($"raw target {s.TargetRaw.LiveBlocks} blocks / {s.TargetRaw.LiveBytes} B vs tracer {s.TracerRaw.LiveBlocks} / {s.TracerRaw.LiveBytes}");
        }

        if (!s.TargetPool.SameLive(s.TracerPool))
        {
            parts.Add($"pool target {s.TargetPool.LiveBlocks} blocks / {s.TargetPool.LiveBytes} B vs tracer {s.TracerPool.LiveBlocks} / {s.TracerPool.LiveBytes}");
        }

        foreach ((HeapFamily family, FamilyCounts target) in s.TargetTracked)
        {
            FamilyCounts tracer = s.TracerOf(family);
            if (!target.SameLive(tracer))
            {
                parts.Add($"{Reporting.ReportNames.Family(family)} target {target.LiveBlocks} blocks / {target.LiveBytes} B vs tracer {tracer.LiveBlocks} / {tracer.LiveBytes}");
            }
        }

        return string.Join("; ", parts);
    }
}
