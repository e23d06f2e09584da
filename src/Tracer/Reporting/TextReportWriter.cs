using System.Globalization;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Gate;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// The report for people: the summary first (target, whether the account is exact, live and leaked
/// totals), then findings grouped by kind — the kind with the most bytes first — and within a kind by
/// site, largest first. Every number says what it counts: <c>3 blocks  240 B total</c>, never <c>3 × 240 B</c>;
/// the words come from each kind's entry in <see cref="FindingKinds"/>.
/// </summary>
public static class TextReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The report for people, as a string.</summary>
    public static string ToText(TraceReport report)
    {
        using var writer = new StringWriter(Invariant);
        Write(report, writer);
        return writer.ToString();
    }

    /// <summary>Writes the report for people to <paramref name="w"/>.</summary>
    public static void Write(TraceReport report, TextWriter w)
    {
        AnalysisResult a = report.Analysis;
        Completeness c = a.Completeness;

        w.WriteLine($"LeakScope report — pid {report.Target.Pid}: {PrintableText.Escape(report.Target.Command)}");
        if (report.Target.ExitCode is { } exitCode)
        {
            w.WriteLine($"  target exit code {exitCode}");
        }
        else if (report.Target.KilledByTracer)
        {
            w.WriteLine("  target stopped by the tracer");
        }

        w.WriteLine($"  trace ended: {ReportNames.End(a.End)}; {a.Statistics.Records:N0} {(a.Statistics.Records == 1 ? "record" : "records")}, {a.Statistics.Heartbeats:N0} {(a.Statistics.Heartbeats == 1 ? "heartbeat" : "heartbeats")} received");
        if (report.Session is { } session)
        {
            w.WriteLine($"  {(session.PerOperation ? "per-operation events" : "high-rate batches")}; {ExitFileNote(session.ExitFile)}");
            if (session.Stacks is { } stacks)
            {
                string lost = stacks.EventsLost > 0 || stacks.Broken
                    ? $"; the stack session lost {stacks.EventsLost:N0} events{(stacks.Broken ? " and was cut short" : string.Empty)}: some blocks have no stack"
                    : string.Empty;
                w.WriteLine($"  stacks: {stacks.Samples:N0} samples, {stacks.MisuseStacks:N0} misuse stacks, {stacks.Methods:N0} methods described{lost}");
            }
        }
        if (c.Complete)
        {
            w.WriteLine("  account: COMPLETE — no event lost, every event decoded, every free matched, confirmed by the target's own counts");
            foreach (string note in c.Notes)
            {
                w.WriteLine($"    note: {note}");
            }
        }
        else
        {
            w.WriteLine($"  account: INCOMPLETE — {c.EventsLost:N0} events lost");
            foreach (string reason in c.Reasons)
            {
                w.WriteLine($"    - {reason}");
            }

            foreach (string figure in c.UncertainFigures)
            {
                w.WriteLine($"    uncertain: {figure}");
            }
        }

        w.WriteLine();
        w.WriteLine("Summary");
        w.WriteLine($"  live at end   {a.LiveBlocks,8:N0} blocks {Bytes(a.LiveBytes),12}   (raw {Blocks(a.Raw)}; pool {Blocks(a.Pool)}{string.Concat(a.Tracked.Select(t => $"; {ReportNames.Family(t.Key)} {Blocks(t.Value)}"))})");
        w.WriteLine($"  leaked        {report.LeakedBlocks,8:N0} blocks {Bytes(report.LeakedBytes),12}");
        w.WriteLine($"  findings      {report.Findings.Count,8:N0}{(report.Gate.Suppressed.Count > 0 ? $"   ({report.Gate.Suppressed.Count:N0} suppressed)" : string.Empty)}");
        if (c.CheckedAgainst is { } hb)
        {
            string agreed = hb.Matches ? "agreed" : "DISAGREED";
            string after = hb.Final ? string.Empty : $"; {c.RecordsAfterCheck:N0} records followed";
            // The target numbers its heartbeats over its whole life (earlier sessions, ones sent before this one started):
            // "#N" is that number, not a count of the heartbeats received, which the "trace ended" line gives.
            // The tracked families the target counted anything in were checked too (HeartbeatSample.TrackedMatch): named like raw and pool.
            string tracked = string.Concat(hb.TargetTracked
                .Where(t => t.Value.Allocations != 0 || t.Value.Frees != 0 || t.Value.LiveBlocks != 0)
                .Select(t => $"; {ReportNames.Family(t.Key)} {Blocks(t.Value)}"));
            w.WriteLine($"  checked at    the target's {(hb.Final ? "final " : string.Empty)}heartbeat #{hb.Sequence}: target raw {Blocks(hb.TargetRaw)}; pool {Blocks(hb.TargetPool)}{tracked} — tracer {agreed}{after}");
        }

        if (a.Reachability is { } snapshot)
        {
            w.WriteLine($"  snapshot      {snapshot.Verdicts.Count:N0} blocks judged by who holds them; {snapshot.Objects:N0} managed objects ({Bytes(snapshot.ManagedBytes)}); dump {Bytes(snapshot.DumpBytes)} in {snapshot.DumpTime.TotalSeconds:N2} s, read in {snapshot.AnalysisTime.TotalSeconds:N2} s");
        }

        if (report.Findings.Count == 0)
        {
            w.WriteLine();
            w.WriteLine("No findings.");
        }

        IEnumerable<IGrouping<FindingKind, Finding>> byKind = report.Findings
            .GroupBy(f => f.Kind)
            .OrderByDescending(g => g.Sum(f => f.Bytes))
            .ThenByDescending(g => g.Sum(f => f.Count))
            .ThenBy(g => g.Key);

        foreach (IGrouping<FindingKind, Finding> group in byKind)
        {
            FindingKindInfo kind = FindingKinds.Of(group.Key);
            int sites = group.Count();
            w.WriteLine();
            w.WriteLine($"{kind.Name} — {sites:N0} {(sites == 1 ? "site" : "sites")}, {kind.Counted(group.Sum(f => f.Count))}, {Bytes(group.Sum(f => f.Bytes))} {kind.BytesMeaning}");
            foreach (Finding f in group.OrderByDescending(f => f.Bytes).ThenByDescending(f => f.Count))
            {
                WriteFinding(w, kind, f);
            }
        }

        WriteGate(w, report.Gate);
    }

    private static void WriteGate(TextWriter w, GateResult gate)
    {
        w.WriteLine();
        w.WriteLine($"Gate {(gate.Passed ? "PASSED" : "FAILED")} ({gate.Policy.Describe()})");
        foreach (string reason in gate.Reasons)
        {
            w.WriteLine($"  - {reason}");
        }

        foreach (SuppressionUse use in gate.Suppressions)
        {
            string matched = use.Matched == 0 ? "matched nothing" : $"suppressed {FindingWords.Counted(use.Matched, "finding", "findings")}";
            w.WriteLine($"  suppression {use.Suppression.Location} '{use.Suppression}': {matched}");
        }
    }

    /// <summary><c>  pool       3 blocks        240 B total  allocated at Program.cs:60 (PlantedBugs)</c>, then the other sites.</summary>
    private static void WriteFinding(TextWriter w, FindingKindInfo kind, Finding f)
    {
        string uncertain = f.Uncertain ? "  [uncertain]" : string.Empty;
        string detail = f.Detail is null ? string.Empty : $" ({f.Detail})";
        string unit = kind.Unit(f.Count).PadRight(kind.CountMany.Length);
        w.WriteLine($"  {ReportNames.Family(f.Family),-5} {f.Count,6:N0} {unit} {Bytes(f.Bytes),10} {kind.BytesMeaning}  {kind.SiteRole} {Printable(f.Site)}{detail}{uncertain}");
        if (f.Site.IsDefined)
        {
            w.WriteLine($"        {PrintableText.Escape(f.Site.File)}:{f.Site.Line}");
        }

        // An invalid free's offending call is its site already: say it once.
        if (f.FreeSite is { } freeSite && freeSite != f.Site)
        {
            string caller = f.CallerFamily is { } family ? $" by {ReportNames.Family(family)}" : string.Empty;
            w.WriteLine($"        {kind.FreeSiteVerb}{caller} at {Printable(freeSite)}");
        }

        foreach (ViewSite view in f.Views)
        {
            w.WriteLine($"        {view.Count:N0} outstanding {(view.Count == 1 ? "view" : "views")} acquired at {Printable(view.Site)}");
            WriteStacks(w, kind, view.Stacks, "acquiring stack", "view");
        }

        if (f.Growth is { } g)
        {
            w.WriteLine($"        live bytes {Bytes(g.FirstBytes)} → {Bytes(g.LastBytes)} (peak {Bytes(g.PeakBytes)}), rose in {g.RisingWindows} of {g.Windows} heartbeat windows, fell in {g.FallingWindows}");
        }

        if (f.Reachability is { } reachability)
        {
            w.WriteLine($"        reachability: {FindingKinds.ReachabilityName(reachability)}");
        }

        foreach (Holder holder in f.Holders)
        {
            w.WriteLine($"        held by {PrintableText.Escape(string.Join(" → ", holder.Path))}  ({kind.Counted(holder.Count)}, {Bytes(holder.Bytes)})");
        }

        WriteStacks(w, kind, f.Stacks, StackTitle(f.Kind));
        long covered = f.Stacks.Sum(s => s.Bytes);
        if (f.Kind is FindingKind.Leak or FindingKind.Growth && f.Stacks.Count > 0 && covered < f.Bytes && !f.Stacks.Any(s => s.Estimated))
        {
            w.WriteLine($"          (only sampled blocks have stacks: {Bytes(covered)} of {Bytes(f.Bytes)}; --stacks all gives every block's)");
        }

        WriteStacks(w, kind, f.FreeStacks, "freeing call's stack");
    }

    /// <summary>What a finding's stacks are the stacks of.</summary>
    private static string StackTitle(FindingKind kind) => kind switch
    {
        FindingKind.ViewLeak => "acquiring stack",
        FindingKind.OwnerFinalized => "creation stack",
        FindingKind.ResizeWithViews => "resize call's stack",
        _ => "stack",
    };

    /// <summary>How many stacks a finding shows, and how many frames of each past the frames they share.</summary>
    private const int ShownStacks = 3;
    private const int ShownFrames = 4;

    /// <summary>
    /// A finding's top stacks: the innermost frames they all share once ("via"), then for each stack its bytes and the
    /// frames where it parts from the others — so two callers of one helper read as two lines, not two copies of a stack.
    /// </summary>
    private static void WriteStacks(TextWriter w, FindingKindInfo kind, IReadOnlyList<FindingStack> stacks, string what, string? unit = null)
    {
        if (stacks.Count == 0)
        {
            return;
        }

        FindingStack[] shown = stacks.Take(ShownStacks).ToArray();
        int shared = shown.Length > 1 ? SharedInnermost(shown) : 0;
        bool estimated = shown.Any(s => s.Estimated);
        string title = stacks.Count == 1 ? what : $"{stacks.Count:N0} {what.Replace("stack", "stacks", StringComparison.Ordinal)}";
        string Unit(long count) => unit is null ? kind.Unit(count) : count == 1 ? unit : unit + "s";
        w.WriteLine($"        {title}{(estimated ? " (estimated from samples)" : string.Empty)}:");
        for (int i = 0; i < shared && i < ShownFrames; i++)
        {
            w.WriteLine($"          via {Printable(shown[0].Frames[i])}");
        }

        foreach (FindingStack stack in shown)
        {
            string approx = stack.Estimated ? "~" : string.Empty;
            IEnumerable<CallFrame> frames = stack.Frames.Skip(shared).Take(ShownFrames);
            // Views hold no bytes of their own: they are counted, not weighed.
            string head = stack.Bytes == 0 && unit is not null
                ? $"          {approx}{stack.Count:N0} {Unit(stack.Count)}"
                : $"          {approx}{Bytes(stack.Bytes)} in {approx}{stack.Count:N0} {Unit(stack.Count)}";
            bool first = true;
            foreach (CallFrame frame in frames)
            {
                w.WriteLine(first ? $"{head}  from {Printable(frame)}" : $"{new string(' ', head.Length)}  ← {Printable(frame)}");
                first = false;
            }

            if (first)
            {
                w.WriteLine($"{head}  (no frames past the shared ones)");
            }
        }

        if (stacks.Count > shown.Length)
        {
            w.WriteLine($"          … {stacks.Count - shown.Length:N0} more {(stacks.Count - shown.Length == 1 ? "stack" : "stacks")} (all in the JSON and HTML reports)");
        }
    }

    /// <summary>How many innermost frames every stack shares (at least one frame of each is left to tell them apart).</summary>
    private static int SharedInnermost(FindingStack[] stacks)
    {
        int shortest = stacks.Min(s => s.Frames.Count);
        int shared = 0;
        while (shared < shortest - 1 && stacks.All(s => s.Frames[shared] == stacks[0].Frames[shared]))
        {
            shared++;
        }

        return shared;
    }

    private static string Printable(CallFrame frame) => PrintableText.Escape(frame.File is null ? frame.Method : $"{frame.Method} ({Path.GetFileName(frame.File)}:{frame.Line})");

    private static string ExitFileNote(ExitFileStatus status) => status switch
    {
        ExitFileStatus.Read => "exit file read: the target's last records and final counts are in the account",
        ExitFileStatus.Empty => "no exit file written: the account is checked by the heartbeats that arrived (docs/analysis.md)",
        ExitFileStatus.Malformed => "the exit file could not be read",
        ExitFileStatus.Withdrawn => "detached before the target exited (exit file withdrawn)",
        _ => "no exit file",
    };

    /// <summary><c>3 blocks, 240 B</c>.</summary>
    private static string Blocks(FamilyCounts counts) => $"{counts.LiveBlocks:N0} {(counts.LiveBlocks == 1 ? "block" : "blocks")}, {Bytes(counts.LiveBytes)}";

    private static string Bytes(long bytes) => bytes switch
    {
        < 10 * 1024 => $"{bytes:N0} B",
        < 10L * 1024 * 1024 => $"{bytes / 1024.0:N1} KiB",
        _ => $"{bytes / (1024.0 * 1024):N1} MiB",
    };

    /// <summary>A site as one line of text, whatever its file and member contain.</summary>
    private static string Printable(SiteInfo site) => PrintableText.Escape(site.ToString());
}
