using System.Text.Encodings.Web;
using System.Text.Json;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Gate;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// Writes the JSON report of docs/json-report.md: <c>schemaVersion</c>, <c>complete</c>, <c>eventsLost</c>,
/// <c>target</c>, <c>summary</c>, <c>findings</c> in that order and with those names; then LeakScope's
/// additions (<c>gate</c>, <c>completeness</c>, <c>account</c>, <c>session</c>, <c>suppressions</c>,
/// <c>suppressedFindings</c>, <c>liveSeries</c>). Documented in docs/json-report.md.
/// </summary>
public static class JsonReportWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The report as indented JSON.</summary>
    public static string ToJson(TraceReport report)
    {
        using var buffer = new MemoryStream();
        Write(report, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes the JSON report to <paramref name="output"/> as UTF-8.</summary>
    public static void Write(TraceReport report, Stream output)
    {
        using var w = new Utf8JsonWriter(output, Options);
        AnalysisResult a = report.Analysis;
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", TraceReport.SchemaVersion);
        w.WriteBoolean("complete", report.Complete);
        w.WriteNumber("eventsLost", report.EventsLost);

        w.WriteStartObject("target");
        w.WriteNumber("pid", report.Target.Pid);
        w.WriteString("command", report.Target.Command);
        if (report.Target.ExitCode is { } exitCode)
        {
            w.WriteNumber("exitCode", exitCode);
        }

        if (report.Target.KilledByTracer)
        {
            w.WriteBoolean("killedByTracer", true);
        }

        w.WriteEndObject();

        w.WriteStartObject("summary");
        w.WriteNumber("liveBlocks", a.LiveBlocks);
        w.WriteNumber("liveBytes", a.LiveBytes);
        w.WriteNumber("leakedBlocks", report.LeakedBlocks);
        w.WriteNumber("leakedBytes", report.LeakedBytes);
        w.WriteNumber("findings", report.Findings.Count);
        w.WriteNumber("suppressed", report.Gate.Suppressed.Count);
        w.WriteEndObject();

        w.WriteStartArray("findings");
        foreach (Finding f in report.Findings)
        {
            w.WriteStartObject();
            WriteFinding(w, f);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        WriteGate(w, report.Gate);

        WriteCompleteness(w, a.Completeness);

        w.WriteStartObject("account");
        WriteCounts(w, "raw", a.Raw);
        WriteCounts(w, "pool", a.Pool);
        foreach (KeyValuePair<HeapFamily, FamilyCounts> tracked in a.Tracked)
        {
            WriteCounts(w, ReportNames.Family(tracked.Key), tracked.Value);
        }

        w.WriteEndObject();

        w.WriteStartObject("session");
        w.WriteString("end", ReportNames.End(a.End));
        w.WriteNumber("records", a.Statistics.Records);
        w.WriteNumber("heartbeats", a.Statistics.Heartbeats);
        w.WriteNumber("rundownBlocks", a.Statistics.RundownBlocks);
        w.WriteNumber("freedBeforeRundown", a.Statistics.FreedBeforeRundown);
        w.WriteNumber("undefinedSites", a.Statistics.UndefinedSites);
        if (report.Session is { } s)
        {
            w.WriteNumber("eventsRead", s.EventsRead);
            w.WriteNumber("readSeconds", Math.Round(s.ReadTime.TotalSeconds, 3));
            w.WriteNumber("judgeMilliseconds", Math.Round(s.JudgeTime.TotalMilliseconds, 1));
            if (s.StopToEnd is { } stop)
            {
                w.WriteNumber("stopToEndMilliseconds", Math.Round(stop.TotalMilliseconds, 1));
            }

            w.WriteBoolean("streamBroken", s.StreamBroken);
            w.WriteString("mode", s.PerOperation ? "per-operation" : "batched");
            w.WriteString("exitFile", ReportNames.ExitFile(s.ExitFile));
            if (s.EndToJudged is { } endToJudged)
            {
                w.WriteNumber("endToJudgedMilliseconds", Math.Round(endToJudged.TotalMilliseconds, 1));
            }

            if (s.BufferSizeMB > 0)
            {
                w.WriteNumber("bufferSizeMB", s.BufferSizeMB);
            }

            if (s.Stacks is { } stacks)
            {
                w.WriteStartObject("stacks");
                w.WriteNumber("samples", stacks.Samples);
                w.WriteNumber("misuseStacks", stacks.MisuseStacks);
                w.WriteNumber("methods", stacks.Methods);
                w.WriteNumber("unknownFrames", stacks.UnknownFrames);
                w.WriteNumber("eventsLost", stacks.EventsLost);
                w.WriteBoolean("streamBroken", stacks.Broken);
                w.WriteEndObject();
            }

            w.WriteNumber("batches", s.Decoder.Batches);
            w.WriteNumber("batchRecords", s.Decoder.BatchRecords);
            w.WriteNumber("replayedBatches", s.Decoder.ReplayedBatches);
            w.WriteNumber("missingBatches", s.Decoder.MissingBatches);
            w.WriteStartObject("undecodable");
            w.WriteNumber("truncated", s.Decoder.Truncated);
            w.WriteNumber("sourceErrors", s.Decoder.SourceErrors);
            w.WriteNumber("malformedBatches", s.Decoder.MalformedBatches);
            w.WriteNumber("malformedExitFiles", s.Decoder.MalformedExitFiles);
            w.WriteStartObject("unknownEventIds");
            foreach ((int id, long count) in s.Decoder.UnknownIds.OrderBy(p => p.Key))
            {
                w.WriteNumber(id.ToString(System.Globalization.CultureInfo.InvariantCulture), count);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndObject();

        w.WriteStartArray("suppressions");
        foreach (SuppressionUse use in report.Gate.Suppressions)
        {
            w.WriteStartObject();
            w.WriteString("source", use.Suppression.Source);
            w.WriteNumber("line", use.Suppression.Line);
            w.WriteString("kind", use.Suppression.Kind is { } kind ? ReportNames.Kind(kind) : "*");
            w.WriteString("pattern", use.Suppression.Pattern.Text);
            w.WriteNumber("matched", use.Matched);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("suppressedFindings");
        foreach (SuppressedFinding suppressed in report.Gate.Suppressed)
        {
            w.WriteStartObject();
            WriteFinding(w, suppressed.Finding);
            w.WriteString("suppressedBy", suppressed.By.Location);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("liveSeries");
        foreach (LivePoint p in report.LiveSeries)
        {
            w.WriteStartObject();
            w.WriteNumber("seconds", p.Seconds);
            w.WriteNumber("sequence", p.Sequence);
            if (p.Estimated)
            {
                w.WriteBoolean("estimated", true);
            }

            w.WriteNumber("rawLiveBytes", p.Raw.LiveBytes);
            w.WriteNumber("poolLiveBytes", p.Pool.LiveBytes);
            w.WriteNumber("rawLiveBlocks", p.Raw.LiveBlocks);
            w.WriteNumber("poolLiveBlocks", p.Pool.LiveBlocks);
            foreach ((HeapFamily family, FamilyCounts counts) in p.Tracked)
            {
                // nativeLiveBytes, alignedLiveBytes, hglobalLiveBytes, cotaskmemLiveBytes (and …LiveBlocks), as for raw and pool.
                string name = ReportNames.Family(family);
                w.WriteNumber(name + "LiveBytes", counts.LiveBytes);
                w.WriteNumber(name + "LiveBlocks", counts.LiveBlocks);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (a.Reachability is { } snapshot)
        {
            WriteReachability(w, snapshot);
        }

        w.WriteEndObject();
        w.Flush();
    }

    private static void WriteGate(Utf8JsonWriter w, GateResult gate)
    {
        w.WriteStartObject("gate");
        w.WriteBoolean("passed", gate.Passed);
        w.WriteString("policy", gate.Policy.Describe());
        w.WriteStartArray("failOn");
        foreach (FindingKind kind in gate.Policy.FailOn.Order())
        {
            w.WriteStringValue(ReportNames.Kind(kind));
        }

        w.WriteEndArray();
        if (gate.Policy.MaxLeakedBytes is { } budget)
        {
            w.WriteNumber("maxLeakedBytes", budget);
        }
        else
        {
            w.WriteNull("maxLeakedBytes");
        }

        w.WriteBoolean("failOnIncomplete", gate.Policy.FailOnIncomplete);
        if (gate.Policy.IgnoreTargetExitCode)
        {
            w.WriteBoolean("ignoreTargetExitCode", true);
        }

        if (gate.TargetExit is { } targetExit)
        {
            w.WriteString("targetExit", targetExit);
        }

        w.WriteStartArray("reasons");
        foreach (string reason in gate.Reasons)
        {
            w.WriteStringValue(reason);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter w, Finding f)
    {
        w.WriteString("kind", ReportNames.Kind(f.Kind));
        w.WriteString("family", ReportNames.Family(f.Family));
        w.WriteNumber("count", f.Count);
        w.WriteNumber("bytes", f.Bytes);
        WriteSite(w, "site", f.Site);
        if (f.FreeSite is { } freeSite)
        {
            WriteSite(w, "freeSite", freeSite);
        }

        if (f.CallerFamily is { } caller)
        {
            w.WriteString("callerFamily", ReportNames.Family(caller));
        }

        if (f.Detail is { } detail)
        {
            w.WriteString("detail", detail);
        }

        if (f.Views.Count > 0)
        {
            w.WriteStartArray("views");
            foreach (ViewSite view in f.Views)
            {
                w.WriteStartObject();
                WriteSite(w, "site", view.Site);
                w.WriteNumber("count", view.Count);
                WriteStacks(w, "stacks", view.Stacks); // each outstanding view's acquiring stack
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (f.Growth is { } g)
        {
            w.WriteStartObject("growth");
            w.WriteNumber("firstBytes", g.FirstBytes);
            w.WriteNumber("lastBytes", g.LastBytes);
            w.WriteNumber("peakBytes", g.PeakBytes);
            w.WriteNumber("risingWindows", g.RisingWindows);
            w.WriteNumber("fallingWindows", g.FallingWindows);
            w.WriteNumber("windows", g.Windows);
            w.WriteEndObject();
        }

        w.WriteBoolean("uncertain", f.Uncertain);
        WriteStacks(w, "stacks", f.Stacks);
        if (f.Kind is FindingKind.DoubleFree or FindingKind.MismatchedFree)
        {
            WriteStacks(w, "freeStacks", f.FreeStacks);
        }

        if (f.Reachability is { } reachability)
        {
            w.WriteString("reachability", FindingKinds.ReachabilityName(reachability));
        }

        if (f.Holders.Count > 0)
        {
            w.WriteStartArray("holders");
            foreach (Holder holder in f.Holders)
            {
                w.WriteStartObject();
                w.WriteStartArray("path");
                foreach (string step in holder.Path)
                {
                    w.WriteStringValue(step);
                }

                w.WriteEndArray();
                w.WriteNumber("count", holder.Count);
                w.WriteNumber("bytes", holder.Bytes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

    /// <summary><c>[{ frames: [{ method, file, line }], count, bytes, estimated }]</c>, innermost frame first, most bytes first.</summary>
    private static void WriteStacks(Utf8JsonWriter w, string name, IReadOnlyList<FindingStack> stacks)
    {
        w.WriteStartArray(name);
        foreach (FindingStack stack in stacks)
        {
            w.WriteStartObject();
            w.WriteStartArray("frames");
            foreach (CallFrame frame in stack.Frames)
            {
                w.WriteStartObject();
                w.WriteString("method", frame.Method);
                if (frame.File is { } file)
                {
                    w.WriteString("file", file);
                    w.WriteNumber("line", frame.Line);
                }
                else
                {
                    w.WriteNull("file");
                    w.WriteNull("line");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("count", stack.Count);
            w.WriteNumber("bytes", stack.Bytes);
            w.WriteBoolean("estimated", stack.Estimated);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteReachability(Utf8JsonWriter w, ReachabilitySnapshot snapshot)
    {
        w.WriteStartObject("reachability");
        w.WriteNumber("blocks", snapshot.Verdicts.Count);
        w.WriteNumber("objects", snapshot.Objects);
        w.WriteNumber("managedBytes", snapshot.ManagedBytes);
        w.WriteNumber("dumpBytes", snapshot.DumpBytes);
        w.WriteNumber("dumpSeconds", Math.Round(snapshot.DumpTime.TotalSeconds, 3));
        w.WriteNumber("analysisSeconds", Math.Round(snapshot.AnalysisTime.TotalSeconds, 3));
        if (snapshot.KeptDump is { } kept)
        {
            w.WriteString("dump", kept);
        }

        w.WriteEndObject();
    }

    private static void WriteSite(Utf8JsonWriter w, string name, SiteInfo site)
    {
        w.WriteStartObject(name);
        w.WriteString("file", site.File);
        w.WriteNumber("line", site.Line);
        w.WriteString("member", site.Member);
        if (!site.IsDefined && site.Id != 0)
        {
            w.WriteNumber("undefinedSiteId", site.Id);
        }

        w.WriteEndObject();
    }

    private static void WriteCompleteness(Utf8JsonWriter w, Completeness c)
    {
        w.WriteStartObject("completeness");
        w.WriteString("heartbeat", ReportNames.Verdict(c.Heartbeat));
        w.WriteNumber("undecodableEvents", c.UndecodableEvents);
        w.WriteNumber("untrackedFrees", c.UntrackedFrees);
        w.WriteNumber("untrackedBytes", c.UntrackedBytes);
        w.WriteStartArray("reasons");
        foreach (string reason in c.Reasons)
        {
            w.WriteStringValue(reason);
        }

        w.WriteEndArray();
        w.WriteStartArray("uncertainFigures");
        foreach (string figure in c.UncertainFigures)
        {
            w.WriteStringValue(figure);
        }

        w.WriteEndArray();
        w.WriteStartArray("notes");
        foreach (string note in c.Notes)
        {
            w.WriteStringValue(note);
        }

        w.WriteEndArray();
        if (c.CheckedAgainst is { } hb)
        {
            w.WriteStartObject("targetCounts");
            w.WriteNumber("heartbeatSequence", hb.Sequence);
            w.WriteBoolean("final", hb.Final);
            w.WriteBoolean("matched", hb.Matches);
            w.WriteNumber("recordsAfter", c.RecordsAfterCheck);
            WriteCounts(w, "raw", hb.TargetRaw);
            WriteCounts(w, "pool", hb.TargetPool);
            foreach ((HeapFamily family, FamilyCounts counts) in hb.TargetTracked)
            {
                WriteCounts(w, ReportNames.Family(family), counts);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, FamilyCounts counts)
    {
        w.WriteStartObject(name);
        w.WriteNumber("liveBlocks", counts.LiveBlocks);
        w.WriteNumber("liveBytes", counts.LiveBytes);
        w.WriteNumber("allocations", counts.Allocations);
        w.WriteNumber("frees", counts.Frees);
        w.WriteEndObject();
    }
}
