using System.Diagnostics;
using System.Globalization;
using LeakScope.Tracer.Sessions;
using Spectre.Console;

namespace LeakScope.Cli.Live;

/// <summary>
/// Progress for reading a trace file, on stderr, once reading has taken longer than a second (small files show
/// nothing): a progress bar on a terminal, a plain line per second when redirected.
/// </summary>
internal static class FileProgress
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    public static async Task ShowUntilAsync(Task work, TraceMonitor monitor, string name, LiveViewMode mode)
    {
        await Task.WhenAny(work, Task.Delay(Delay)).ConfigureAwait(false);
        if (work.IsCompleted || mode == LiveViewMode.None)
        {
            await Task.WhenAny(work).ConfigureAwait(false);
            return;
        }

        var clock = Stopwatch.StartNew();
        if (mode == LiveViewMode.Lines)
        {
            do
            {
                await Console.Error.WriteLineAsync(Line(monitor, name)).ConfigureAwait(false);
                await Task.WhenAny(work, Task.Delay(Delay)).ConfigureAwait(false);
            }
            while (!work.IsCompleted);
            return;
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(name), maxValue: Math.Max(1, monitor.TotalBytes ?? 1));
                while (!work.IsCompleted)
                {
                    task.Value = monitor.BytesRead;
                    await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(250))).ConfigureAwait(false);
                }

                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
    }

    private static string Line(TraceMonitor monitor, string name)
    {
        long read = monitor.BytesRead;
        string percent = monitor.TotalBytes is > 0 and var total ? (100.0 * read / total).ToString("0", CultureInfo.InvariantCulture) + " %" : "?";
        return $"leakscope: reading {name}: {percent} ({(read / (1024.0 * 1024)).ToString("N1", CultureInfo.InvariantCulture)} MiB), {(monitor.Latest?.EventsRead ?? 0).ToString("N0", CultureInfo.InvariantCulture)} events";
    }
}
