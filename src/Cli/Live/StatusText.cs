using System.Globalization;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Live;

/// <summary>The plain-line form of the live view, for redirected output and logs.</summary>
internal static class StatusText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// One status line. <paramref name="topStack"/>: the top growing site's top stack (<see cref="TraceMonitor.TopStack"/>),
    /// whose first caller the line names when there is one.
    /// </summary>
    public static string Line(LiveSnapshot? s, double eventsPerSecond, TimeSpan elapsed, Func<SiteInfo, IReadOnlyList<CallFrame>>? topStack = null)
    {
        if (s is null)
        {
            return $"leakscope: {elapsed.TotalSeconds.ToString("0", Invariant)} s  waiting for the first events";
        }

        EngineSnapshot e = s.Engine;
        string line = $"leakscope: {elapsed.TotalSeconds.ToString("0", Invariant)} s  events {s.EventsRead.ToString("N0", Invariant)} ({eventsPerSecond.ToString("N0", Invariant)}/s)  lost {s.EventsLost.ToString("N0", Invariant)}"
            + $"  raw {Family(e.Raw)}  pool {Family(e.Pool)}"
            + string.Concat(e.Tracked.Select(t => $"  {ReportNames.Family(t.Key)} {Family(t.Value)}"))
            + $"  heartbeats {e.Heartbeats.ToString("N0", Invariant)}";
        if (e.TopGrowing.Count > 0)
        {
            SiteGrowth top = e.TopGrowing[0];
            line += $"  top growth {PrintableText.Escape(top.Site.ToString())} +{FindingText.Bytes(top.GrowthBytes)}";
            if (topStack?.Invoke(top.Site) is { Count: > 1 } frames)
            {
                line += string.Concat(LiveView.TopStackLines(frames).Take(1).Select(f => f.Replace("  ← ", "  from ", StringComparison.Ordinal)));
            }
        }

        return line;
    }

    public static string Family(FamilyCounts c) => $"{c.LiveBlocks.ToString("N0", Invariant)} blocks / {FindingText.Bytes(c.LiveBytes)}";
}
