using System.Text;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Reporting;

/// <summary>The live-bytes chart (inline SVG, drawn here: no script or library needed to see it), the style sheet and the table sorter.</summary>
public static partial class HtmlReportWriter
{
    private const int ChartWidth = 860;
    private const int ChartHeight = 280;
    private const int Left = 80;
    private const int Right = 20;
    private const int Top = 16;
    private const int Bottom = 40;

    private static void Chart(StringBuilder h, IReadOnlyList<LivePoint> points)
    {
        if (points.Count == 0)
        {
            h.Append("<p>No heartbeat was received, so there is no time series (the target's heartbeats carry its live counts).</p>\n");
            return;
        }

        double t0 = points[0].Seconds;
        double t1 = Math.Max(points[^1].Seconds, t0 + 0.001);
        long maxBytes = Math.Max(1, points.Max(p => p.LiveBytes));
        double yMax = NiceCeiling(maxBytes);
        double plotW = ChartWidth - Left - Right;
        double plotH = ChartHeight - Top - Bottom;
        double X(double t) => Left + (plotW * (t - t0) / (t1 - t0));
        double Y(double b) => Top + plotH - (plotH * b / yMax);

        h.Append("<svg id=\"live-chart\" viewBox=\"0 0 ").Append(ChartWidth).Append(' ').Append(ChartHeight)
            .Append("\" role=\"img\" aria-label=\"Live bytes per family over time\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        h.Append("<rect x=\"").Append(Left).Append("\" y=\"").Append(Top).Append("\" width=\"").Append(F(plotW)).Append("\" height=\"").Append(F(plotH)).Append("\" class=\"plot\"/>\n");
        for (int i = 0; i <= 4; i++)
        {
            double b = yMax * i / 4;
            double y = Y(b);
            h.Append("<line x1=\"").Append(Left).Append("\" x2=\"").Append(ChartWidth - Right).Append("\" y1=\"").Append(F(y)).Append("\" y2=\"").Append(F(y)).Append("\" class=\"grid\"/>");
            h.Append("<text x=\"").Append(Left - 6).Append("\" y=\"").Append(F(y + 4)).Append("\" class=\"ylabel\">").Append(Encode(FindingText.Bytes((long)b))).Append("</text>\n");
            double t = t0 + ((t1 - t0) * i / 4);
            double x = X(t);
            h.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(ChartHeight - Bottom + 16).Append("\" class=\"xlabel\">").Append(F(t)).Append(" s</text>\n");
        }

        h.Append("<text x=\"").Append(Left + (plotW / 2)).Append("\" y=\"").Append(ChartHeight - 6).Append("\" class=\"xlabel\">seconds since the trace started</text>\n");
        Line(h, points, p => p.LiveBytes, X, Y, "total");
        // Raw and pool always (the chart's first families); a tracked family once any heartbeat shows it used.
        HeapFamily[] families = [HeapFamily.Raw, HeapFamily.Pool,
            .. ChartedTracked.Where(f => points.Any(p => p.Of(f).LiveBlocks != 0 || p.Of(f).Allocations != 0))];
        foreach (HeapFamily family in families)
        {
            Line(h, points, p => p.Of(family).LiveBytes, X, Y, ReportNames.Family(family));
        }

        h.Append("</svg>\n");
        h.Append("<p class=\"legend\">");
        foreach (HeapFamily family in families)
        {
            h.Append("<span class=\"key ").Append(ReportNames.Family(family)).Append("\"></span> ").Append(ReportNames.Family(family)).Append(' ');
        }

        h.Append("<span class=\"key total\"></span> total — ")
            .Append(points.Count).Append(" heartbeat samples of the target's own counts")
            .Append(points.Any(p => p.Estimated) ? "; some times estimated at 100 ms per heartbeat" : string.Empty).Append(".</p>\n");
    }

    /// <summary>The tracked system families the chart draws a line for when the trace used them.</summary>
    private static readonly HeapFamily[] ChartedTracked = [HeapFamily.Native, HeapFamily.Aligned, HeapFamily.HGlobal, HeapFamily.CoTaskMem];

    private static void Line(StringBuilder h, IReadOnlyList<LivePoint> points, Func<LivePoint, long> value, Func<double, double> x, Func<double, double> y, string css)
    {
        h.Append("<polyline class=\"series ").Append(css).Append("\" points=\"");
        foreach (LivePoint p in points)
        {
            h.Append(F(x(p.Seconds))).Append(',').Append(F(y(value(p)))).Append(' ');
        }

        h.Append("\"><title>").Append(css).Append(" live bytes</title></polyline>\n");
    }

    private static double NiceCeiling(double value)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string F(double value) => value.ToString("0.##", Invariant);

    private const string Css = """
        :root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --raw: #0969da; --pool: #bf3989; --total: #57606a; --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 auto; max-width: 1100px; padding: 16px 24px; }
        h1 { margin: 0 0 4px; font-size: 24px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; margin: 12px 0 4px; }
        code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
        .muted { color: var(--muted); }
        .badge { display: inline-block; padding: 2px 10px; border-radius: 12px; color: #fff; font-weight: 600; }
        .badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; }
        .card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 180px; }
        .card .label { color: var(--muted); text-transform: uppercase; font-size: 11px; letter-spacing: .05em; } .card .value { font-size: 22px; font-weight: 600; }
        table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; } table.sortable th { cursor: pointer; } .num { text-align: right; white-space: nowrap; }
        tr.error td:first-child { border-left: 3px solid var(--fail); } tr.warning td:first-child { border-left: 3px solid var(--warn); } tr.unused td { color: var(--warn); }
        svg .plot { fill: #fff; stroke: var(--line); } svg .grid { stroke: #eaeef2; } svg text { font-size: 11px; fill: var(--muted); }
        svg .ylabel { text-anchor: end; } svg .xlabel { text-anchor: middle; }
        .series { fill: none; stroke-width: 2; } .series.raw { stroke: var(--raw); } .series.pool { stroke: var(--pool); } .series.total { stroke: var(--total); stroke-dasharray: 4 3; stroke-width: 1.5; }
        .series.native { stroke: #8250df; } .series.aligned { stroke: #1b7c83; } .series.hglobal { stroke: #bc4c00; } .series.cotaskmem { stroke: #4d2d00; }
        .series.native { stroke: #8e44ad; } .series.aligned { stroke: #16a085; } .series.hglobal { stroke: #d35400; } .series.cotaskmem { stroke: #7f8c8d; }
        .key { display: inline-block; width: 14px; height: 3px; vertical-align: middle; } .key.raw { background: var(--raw); } .key.pool { background: var(--pool); } .key.total { background: var(--total); }
        .key.native { background: #8250df; } .key.aligned { background: #1b7c83; } .key.hglobal { background: #bc4c00; } .key.cotaskmem { background: #4d2d00; }
        .key.native { background: #8e44ad; } .key.aligned { background: #16a085; } .key.hglobal { background: #d35400; } .key.cotaskmem { background: #7f8c8d; }
        .barfill { fill: var(--raw); } footer { margin-top: 32px; font-size: 12px; }

        """;

    private const string Script = """
        document.querySelectorAll('table.sortable').forEach(function (table) {
          table.querySelectorAll('th').forEach(function (th, column) {
            th.addEventListener('click', function () {
              var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
              var down = th.getAttribute('data-dir') !== 'desc';
              th.setAttribute('data-dir', down ? 'desc' : 'asc');
              rows.sort(function (a, b) {
                var x = a.cells[column], y = b.cells[column];
                var p = x.getAttribute('data-sort'), q = y.getAttribute('data-sort');
                var c = p !== null && q !== null ? Number(p) - Number(q) : x.textContent.localeCompare(y.textContent);
                return down ? -c : c;
              });
              rows.forEach(function (row) { body.appendChild(row); });
            });
          });
        });
        document.body.setAttribute('data-script', 'ran');

        """;
}
