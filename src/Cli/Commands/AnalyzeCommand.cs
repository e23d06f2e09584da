using System.CommandLine;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Commands;

/// <summary><c>leakscope analyze &lt;file.nettrace&gt;</c>: the same report from a recorded trace.</summary>
internal static class AnalyzeCommand
{
    public static Command Create()
    {
        var fileArgument = new Argument<string>("file") { Description = "A .nettrace file: from 'leakscope trace --nettrace', or 'dotnet-trace collect --providers LeakScope-Allocator'." };
        var formatOption = CommonOptions.Format();
        var outputOption = CommonOptions.Output();
        var command = new Command("analyze", "Report on a recorded trace.\nExample:\n  leakscope analyze app.nettrace --format json")
        {
            fileArgument, formatOption, outputOption,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string file = parseResult.GetValue(fileArgument)!;
            ReportFormat format = parseResult.GetValue(formatOption);
            string? output = parseResult.GetValue(outputOption);
            return await Cli.RunAsync(() =>
            {
                var report = TraceReport.From(TraceRunner.AnalyzeFile(file));
                ReportOutput.Write(report, format, output);
                return Task.FromResult(ReportOutput.ExitCodeFor(report));
            }).ConfigureAwait(false);
        });

        return command;
    }
}
