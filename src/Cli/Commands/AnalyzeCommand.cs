using System.CommandLine;
using LeakScope.Cli.Live;
using LeakScope.Cli.Output;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Commands;

/// <summary><c>leakscope analyze &lt;file.nettrace&gt;</c>: the same reports and gate from a recorded trace, with progress for large files.</summary>
internal static class AnalyzeCommand
{
    public static Command Create()
    {
        var fileArgument = new Argument<string>("file")
        {
            Description = "A .nettrace file: from 'leakscope trace --nettrace', or 'dotnet-trace collect --providers LeakScope-Allocator:0x3F:5'.",
        };
        var report = new ReportOptions();
        var stacks = new StackOptions();
        var command = new Command("analyze",
            "Report on a recorded trace: the same findings, formats and gate as 'leakscope trace'.\n\n" +
            "Examples:\n" +
            "  leakscope analyze app.nettrace\n" +
            "  leakscope analyze app.nettrace --format json,html=report.html -o report.json\n" +
            "  dotnet-trace collect --providers LeakScope-Allocator:0x3F:5 -o app.nettrace -- dotnet MyApp.dll && leakscope analyze app.nettrace")
        {
            fileArgument,
        };
        stacks.AddTo(command, sampling: false);
        report.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) => await ErrorHandling.RunAsync(async () =>
        {
            var options = new AnalyzeCommandOptions(parseResult.GetValue(fileArgument)!, ReportRequestParser.Parse(parseResult, report))
            {
                Stacks = StackOptions.Parse(parseResult.GetValue(stacks.Stacks)) != StackCollection.None,
            };
            return await RunAsync(options).ConfigureAwait(false);
        }).ConfigureAwait(false));

        return command;
    }

    private static async Task<ExitCode> RunAsync(AnalyzeCommandOptions options)
    {
        ReportPublisher.CheckWritable(options.Report);
        var monitor = new TraceMonitor();
        Task<TraceOutcome> analyzing = Task.Run(() => TraceRunner.AnalyzeFile(options.File, options: null, monitor, options.Stacks));
        await FileProgress.ShowUntilAsync(analyzing, monitor, Path.GetFileName(options.File), LiveView.Choose(options.Report.Quiet)).ConfigureAwait(false);
        TraceOutcome outcome = await analyzing.ConfigureAwait(false);
        if (!outcome.AllocatorSeen)
        {
            ErrorHandling.Fail($"{options.File} holds no LeakScope-Allocator event: the traced process does not use LeakScope.Allocator (or the recording did not enable the provider), so there is nothing to report", ExitCode.TraceFailed);
            return ExitCode.TraceFailed;
        }

        var report = TraceReport.From(outcome, options.Report.Gate);
        return ReportPublisher.Publish(report, options.Report);
    }
}
