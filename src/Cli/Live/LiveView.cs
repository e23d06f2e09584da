using System.Diagnostics;
using System.Globalization;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LeakScope.Cli.Live;

/// <summary>
/// Shows a trace in progress on stderr about once a second until the trace's task completes: live bytes per family,
/// events per second, lost events and the top growing sites. On a terminal it is redrawn in place (Spectre.Console)
/// and a launched child's output is printed above it; redirected, it is a plain line per second.
/// </summary>
internal sealed class LiveView
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly LiveViewMode _mode;
    private readonly TraceMonitor _monitor;
    private readonly string _title;
    private readonly ChildOutput? _childOutput;

    public LiveView(LiveViewMode mode, TraceMonitor monitor, string title, ChildOutput? childOutput)
    {
        _mode = mode;
        _monitor = monitor;
        _title = title;
        _childOutput = childOutput;
    }

    /// <summary>Terminal when stderr is one (and TERM is not dumb), plain lines when redirected, none when quiet.</summary>
    public static LiveViewMode Choose(bool quiet) =>
        quiet ? LiveViewMode.None
        : !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb" ? LiveViewMode.Terminal
        : LiveViewMode.Lines;

    public async Task ShowUntilAsync(Task work)
    {
        switch (_mode)
        {
            case LiveViewMode.Terminal:
                await TerminalAsync(work).ConfigureAwait(false);
                break;
            case LiveViewMode.Lines:
                await LinesAsync(work).ConfigureAwait(false);
                break;
            default:
                await Settle(work).ConfigureAwait(false);
                break;
        }
    }

    private async Task LinesAsync(Task work)
    {
        var clock = Stopwatch.StartNew();
        var rate = new LiveRate();
        while (!await WaitAsync(work, Period).ConfigureAwait(false))
        {
            LiveSnapshot? snapshot = _monitor.Latest;
            await Console.Error.WriteLineAsync(StatusText.Line(snapshot, rate.Update(snapshot, clock.Elapsed), clock.Elapsed, _monitor.TopStack)).ConfigureAwait(false);
        }
    }

    private async Task TerminalAsync(Task work)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var clock = Stopwatch.StartNew();
        var rate = new LiveRate();
        double perSecond = 0;
        TimeSpan lastRate = TimeSpan.Zero;
        await console.Live(Render(null, 0, TimeSpan.Zero))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async context =>
            {
                // Child output is drained every 100 ms so it appears promptly; the view itself is redrawn once a second.
                bool done;
                do
                {
                    done = await WaitAsync(work, TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
                    DrainChildOutput(console);
                    if (done || clock.Elapsed - lastRate >= Period)
                    {
                        LiveSnapshot? snapshot = _monitor.Latest;
                        perSecond = rate.Update(snapshot, clock.Elapsed);
                        lastRate = clock.Elapsed;
                        context.UpdateTarget(Render(snapshot, perSecond, clock.Elapsed));
                        context.Refresh();
                    }
                }
                while (!done);
            }).ConfigureAwait(false);
        DrainChildOutput(console);
    }

    private void DrainChildOutput(IAnsiConsole console)
    {
        if (_childOutput is null)
        {
            return;
        }

        while (_childOutput.TryTake(out string line))
        {
            console.Write(new ClearedLine(line));
        }
    }

    private IRenderable Render(LiveSnapshot? s, double eventsPerSecond, TimeSpan elapsed)
    {
        var header = new Markup(
            $"[bold]LeakScope[/] {Markup.Escape(PrintableText.Escape(_title))}  [grey]{elapsed.TotalSeconds.ToString("0", Invariant)} s[/]  " +
            $"events [bold]{(s?.EventsRead ?? 0).ToString("N0", Invariant)}[/] ({eventsPerSecond.ToString("N0", Invariant)}/s)  " +
            (s is { EventsLost: > 0 } ? $"[red]lost {s.EventsLost.ToString("N0", Invariant)}[/]" : "lost 0") +
            $"  heartbeats {(s?.Engine.Heartbeats ?? 0).ToString("N0", Invariant)}");

        EngineSnapshot e = s?.Engine ?? EngineSnapshot.Empty;
        var families = new Table().Border(TableBorder.Simple).AddColumn("family").AddColumn(new TableColumn("live blocks").RightAligned())
            .AddColumn(new TableColumn("live bytes").RightAligned()).AddColumn(new TableColumn("allocations").RightAligned()).AddColumn(new TableColumn("frees").RightAligned());
        AddFamily(families, "raw", e.Raw);
        AddFamily(families, "pool", e.Pool);
        foreach (KeyValuePair<HeapFamily, FamilyCounts> tracked in e.Tracked)
        {
            AddFamily(families, ReportNames.Family(tracked.Key), tracked.Value);
        }

        var sites = new Table().Border(TableBorder.Simple).AddColumn("top growing sites").AddColumn("family")
            .AddColumn(new TableColumn("live").RightAligned()).AddColumn(new TableColumn("growth").RightAligned());
        foreach (SiteGrowth g in e.TopGrowing)
        {
            sites.AddRow(new Text(PrintableText.Escape(g.Site.ToString())), new Text(ReportNames.Family(g.Family)), new Text(FindingText.Bytes(g.LiveBytes)), new Text("+" + FindingText.Bytes(g.GrowthBytes)));

            // With stacks on, each growing site expands to its top stack: the callers that put the most bytes there.
            foreach (string frame in TopStackLines(_monitor.TopStack(g.Site)))
            {
                sites.AddRow(new Text(frame, new Style(Color.Grey)), Text.Empty, Text.Empty, Text.Empty);
            }
        }

        if (e.TopGrowing.Count == 0)
        {
            sites.AddRow(new Text("(none yet)"), Text.Empty, Text.Empty, Text.Empty);
        }

        return new Rows(header, families, sites, new Markup("[grey]Ctrl+C stops tracing and writes the report.[/]"));
    }

    /// <summary>How many frames of a growing site's top stack the live view shows.</summary>
    internal const int TopStackFrames = 3;

    /// <summary>
    /// The lines a growing site expands to: the first frames of its top stack, innermost first, the first one being the
    /// site's own method (skipped when it is the only one: the site already names it).
    /// </summary>
    internal static IEnumerable<string> TopStackLines(IReadOnlyList<CallFrame> frames)
    {
        if (frames.Count < 2)
        {
            yield break;
        }

        foreach (CallFrame frame in frames.Skip(1).Take(TopStackFrames))
        {
            string where = frame.File is null ? string.Empty : $" ({Path.GetFileName(frame.File)}:{frame.Line.ToString(Invariant)})";
            yield return PrintableText.Escape($"  ← {frame.Method}{where}");
        }
    }

    private static void AddFamily(Table table, string name, FamilyCounts c) =>
        table.AddRow(new Text(name), new Text(c.LiveBlocks.ToString("N0", Invariant)), new Text(FindingText.Bytes(c.LiveBytes)),
            new Text(c.Allocations.ToString("N0", Invariant)), new Text(c.Frees.ToString("N0", Invariant)));

    /// <summary>True when <paramref name="work"/> completed (successfully or not) within <paramref name="timeout"/>.</summary>
    private static async Task<bool> WaitAsync(Task work, TimeSpan timeout)
    {
        await Task.WhenAny(work, Task.Delay(timeout)).ConfigureAwait(false);
        return work.IsCompleted;
    }

    private static Task Settle(Task work) => Task.WhenAny(work);
}
