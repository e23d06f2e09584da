using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>
/// What must hold for any stream, however damaged: no live account below zero (at any point); every finding has a
/// contract kind, a site (resolved to its definition when the stream defined it), a positive count and non-negative
/// bytes; <c>complete</c> only when nothing was lost, undecodable, untracked or duplicated, the stream ended cleanly and
/// the target's heartbeat counts equal the account; uncertain figures marked whenever the account is not complete;
/// both report writers render it and the JSON parses back.
/// </summary>
internal static class EngineInvariants
{
    private static readonly HashSet<string> ContractKinds =
        ["leak", "growth", "mismatched-free", "double-free", "invalid-free", "resize-with-views", "view-leak", "owner-finalized"];

    public static IEnumerable<string> Violations(JudgedStream judged)
    {
        if (judged.Sink.NegativeAccount is { } negative)
        {
            yield return $"negative live account {negative}";
        }

        if (judged.Refused is { } refused)
        {
            if (!judged.Stream.HasNewerVersion)
            {
                yield return $"refused without a newer version in the stream: {refused.Message}";
            }

            yield break;
        }

        AnalysisResult r = judged.Result!;
        DecoderStatisticsCheck(judged, out string? accounting);
        if (accounting is not null)
        {
            yield return accounting;
        }

        foreach (FamilyCounts account in new[] { r.Raw, r.Pool })
        {
            if (account.LiveBlocks < 0 || account.LiveBytes < 0)
            {
                yield return $"negative final account {account}";
            }
        }

        foreach (Finding f in r.Findings)
        {
            foreach (string problem in FindingProblems(f, judged.Sink.Sites))
            {
                yield return $"{problem}: {f}";
            }
        }

        foreach (string problem in CompletenessProblems(judged))
        {
            yield return problem;
        }

        foreach (string problem in ReportProblems(judged))
        {
            yield return problem;
        }
    }

    /// <summary>Every event handed to the decoder is either decoded or counted as undecodable; the sink saw every decoded one.</summary>
    private static void DecoderStatisticsCheck(JudgedStream judged, out string? problem)
    {
        long fed = judged.Stream.Events.Count;
        long counted = judged.Decoder.Decoded + judged.Decoder.Undecodable;
        long batches = judged.Stream.Events.Count(e => e.EventId == BatchEvents.AllocationBatch);
        if (batches > 0)
        {
            // A batch delivers many records, and a replayed one is skipped uncounted (see BatchEvents).
            problem = counted > fed || fed - counted > batches
                ? $"decoder accounted for {counted} of {fed} events, {batches} of them batches"
                : null;
            return;
        }

        problem = counted != fed
            ? $"decoder accounted for {counted} of {fed} events (decoded {judged.Decoder.Decoded}, undecodable {judged.Decoder.Undecodable})"
            : judged.Sink.Records != judged.Decoder.Decoded
                ? $"the sink received {judged.Sink.Records} records but {judged.Decoder.Decoded} were decoded"
                : null;
    }

    private static IEnumerable<string> FindingProblems(Finding f, IReadOnlyDictionary<int, SiteDefined> defined)
    {
        if (!Enum.IsDefined(f.Kind))
        {
            yield return $"undefined kind {(int)f.Kind}";
            yield break;
        }

        if (!ContractKinds.Contains(ReportNames.Kind(f.Kind)))
        {
            yield return "kind outside the contract";
        }

        if (f.Site is null)
        {
            yield return "no site";
            yield break;
        }

        foreach (SiteInfo site in new[] { f.Site, f.FreeSite }.Concat(f.Views.Select(v => v.Site)).OfType<SiteInfo>())
        {
            if (site.Id != 0 && defined.TryGetValue(site.Id, out SiteDefined d)
                && (site.File != d.File || site.Line != d.Line || site.Member != d.Member))
            {
                yield return $"site {site.Id} resolved to {site} instead of its definition {d}";
            }

            if (site.Id != 0 && !defined.ContainsKey(site.Id) && site.IsDefined)
            {
                yield return $"site {site.Id} was never defined but resolved to {site}";
            }
        }

        // Growth counts the blocks still live at the end, which may be none when the site was freed after the last heartbeat.
        if (f.Count < 0 || (f.Count == 0 && f.Kind != FindingKind.Growth))
        {
            yield return $"count {f.Count}";
        }

        if (f.Bytes < 0)
        {
            yield return $"bytes {f.Bytes}";
        }
    }

    private static IEnumerable<string> CompletenessProblems(JudgedStream judged)
    {
        AnalysisResult r = judged.Result!;
        Completeness c = r.Completeness;
        StreamSummary s = judged.Summary;
        if (c.EventsLost != s.EventsLost)
        {
            yield return $"report says {c.EventsLost} lost, the source said {s.EventsLost}";
        }

        if (!c.Complete)
        {
            if (c.Reasons.Count == 0)
            {
                yield return "incomplete without a reason";
            }

            foreach (Finding f in r.Findings.Where(f => f.Kind is FindingKind.Leak or FindingKind.Growth || f.Detail == "outstanding-at-end"))
            {
                if (!f.Uncertain)
                {
                    yield return $"incomplete account but a {ReportNames.Kind(f.Kind)} finding is not marked uncertain";
                }
            }

            yield break;
        }

        // Complete: every condition of docs/analysis.md must hold.
        if (s.EventsLost > 0)
        {
            yield return $"complete with {s.EventsLost} events lost";
        }

        if (judged.Decoder.Undecodable > 0 || c.UndecodableEvents > 0)
        {
            yield return $"complete with {judged.Decoder.Undecodable} undecodable events";
        }

        if (c.UntrackedFrees > 0 || r.Statistics.DuplicateAllocations > 0 || r.Statistics.DuplicateFrees > 0)
        {
            yield return $"complete with {c.UntrackedFrees} untracked frees, {r.Statistics.DuplicateAllocations} duplicate allocations, {r.Statistics.DuplicateFrees} duplicate frees";
        }

        if (!s.CleanEnd)
        {
            yield return "complete although the stream was cut";
        }

        if (c.Heartbeat != HeartbeatVerdict.Verified || c.CheckedAgainst is null)
        {
            yield return $"complete with heartbeat verdict {c.Heartbeat}";
            yield break;
        }

        Heartbeat? final = judged.Sink.Heartbeats.Where(h => (h.Flags & HeartbeatFlags.Final) != 0).Select(h => (Heartbeat?)h).FirstOrDefault();
        if (final is { } last)
        {
            if (!last.Raw.SameLive(r.Raw) || !last.Pool.SameLive(r.Pool))
            {
                yield return $"complete but the final heartbeat (raw {last.Raw}, pool {last.Pool}) differs from the account (raw {r.Raw}, pool {r.Pool})";
            }
        }
        else
        {
            int index = r.Heartbeats.ToList().IndexOf(c.CheckedAgainst);
            if (!c.CheckedAgainst.Matches || index < r.Heartbeats.Count - 3)
            {
                yield return $"complete but checked against heartbeat {c.CheckedAgainst.Sequence} (#{index} of {r.Heartbeats.Count}, matches {c.CheckedAgainst.Matches})";
            }
        }

        if (r.Findings.Any(f => f.Uncertain))
        {
            yield return "complete but a finding is marked uncertain";
        }
    }

    private static IEnumerable<string> ReportProblems(JudgedStream judged)
    {
        TraceReport report = judged.Report();
        string json = judged.Json;
        string text = TextReportWriter.ToText(report);
        string? problem = null;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json);
            int findings = doc.RootElement.GetProperty("findings").GetArrayLength();
            if (findings != report.Findings.Count)
            {
                problem = $"the JSON report has {findings} findings, the result {report.Findings.Count}";
            }
        }
        catch (JsonException e)
        {
            problem = $"the JSON report does not parse: {e.Message}";
        }

        if (problem is not null)
        {
            yield return problem;
        }

        int control = text.IndexOfAny(HostileStrings.UnprintableInText);
        if (control >= 0)
        {
            yield return $"the text report contains U+{(int)text[control]:X4} at {control}, which a terminal or log viewer could take as a line break or control sequence";
        }

        // Judging again must give the same report: Finish does not change the engine.
        string again = JsonReportWriter.ToJson(judged.Report() with { Analysis = judged.Rejudge() });
        if (again != json)
        {
            yield return "judging the same engine twice gave two different reports";
        }
    }
}
