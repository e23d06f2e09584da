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

    public static string Line(LiveSnapshot? s, double eventsPerSecond, TimeSpan elapsed)
    {
        if (s is null)
        {
            return $"leakscope: {elapsed.TotalSeconds.ToString("0", Invariant)} s  waiting for the first events";
        }

        EngineSnapshot e = s.Engine;
        string line = $"leakscope: {elapsed.TotalSeconds.ToString("0", Invariant)} s  events {s.EventsRead.ToString("N0", Invariant)} ({eventsPerSecond.ToString("N0", Invariant)}/s)  lost {s.EventsLost.ToString("N0", Invariant)}"
            + $"  raw {Family(e.Raw)}  pool {Family(e.Pool)}  heartbeats {e.Heartbeats.ToString("N0", Invariant)}";
        if (e.TopGrowing.Count > 0)
        {
            SiteGrowth top = e.TopGrowing[0];
            line += $"  top growth {PrintableText.Escape(top.Site.ToString())} +{FindingText.Bytes(top.GrowthBytes)}";
        }

        return line;
    }

    public static string Family(FamilyCounts c) => $"{c.LiveBlocks.ToString("N0", Invariant)} blocks / {FindingText.Bytes(c.LiveBytes)}";
}
