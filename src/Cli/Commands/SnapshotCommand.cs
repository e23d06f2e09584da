using System.CommandLine;
using System.Globalization;
using LeakScope.Cli.Output;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Commands;

/// <summary>
/// <c>leakscope snapshot &lt;pid&gt;</c>: judges every block a running process holds now by who holds it
/// (docs/reachability.md), without tracing it over time: attach, read the allocator's rundown, take one heap snapshot,
/// detach, report. The target keeps running. Same reports and gate as <c>trace</c>.
/// </summary>
internal static class SnapshotCommand
{
    public static Command Create()
    {
        var pidArgument = new Argument<string>("pid") { Description = "The running process to snapshot." };
        var keepDumpOption = new Option<string?>("--keep-dump")
        {
            Description = "Keep the heap dump of the snapshot at this path (it is deleted otherwise).",
            HelpName = "file",
        };
        var report = new ReportOptions();
        var command = new Command("snapshot",
            "Judge every native block a running .NET process (one that uses LeakScope.Allocator) holds now: 'retained' with the path that holds it, " +
            "or a 'leak' that nothing reachable points at (unreferenced, indirect, held-by-garbage, interior). One heap snapshot, no trace over time; the process keeps running.\n\n" +
            "Examples:\n" +
            "  leakscope snapshot 1234\n" +
            "  leakscope snapshot 1234 --format json -o snapshot.json --keep-dump app.dmp\n" +
            "  leakscope snapshot 1234 --fail-on any,retained")
        {
            pidArgument, keepDumpOption,
        };
        report.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) => await ErrorHandling.RunAsync(async () =>
        {
            string text = parseResult.GetValue(pidArgument)!;
            if (text.StartsWith('-'))
            {
                throw new UsageException(UsageHints.UnknownOption(text, command.Name, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))));
            }

            int pid = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0
                ? parsed
                : throw new UsageException($"'{text}' is not a process id");
            ReportRequest request = ReportRequestParser.Parse(parseResult, report);
            string? keepDump = parseResult.GetValue(keepDumpOption) is { } keep ? Path.GetFullPath(keep) : null;
            return await RunAsync(pid, request, keepDump, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false));

        return command;
    }

    private static async Task<ExitCode> RunAsync(int pid, ReportRequest request, string? keepDump, CancellationToken cancellationToken)
    {
        ReportPublisher.CheckWritable(request);
        using var termination = new TerminationSignal(cancellationToken);
        TraceOutcome outcome = await TraceRunner.SnapshotAsync(pid, new TraceOptions { Reachability = true, KeepDumpPath = keepDump }, termination.Token).ConfigureAwait(false);
        if (!outcome.AllocatorSeen)
        {
            return (ExitCode)ErrorHandling.Fail($"pid {pid} ({outcome.Target.Command}) does not use LeakScope.Allocator: no rundown of its blocks arrived, so there is nothing to snapshot", ExitCode.TraceFailed);
        }

        var report = TraceReport.From(outcome, request.Gate);
        ExitCode exitCode = ReportPublisher.Publish(report, request);
        if (!request.Quiet)
        {
            Console.Error.WriteLine($"leakscope: gate {(report.Gate.Passed ? "passed" : "failed")} ({report.Gate.Policy.Describe()}): {FindingWords.Counted(report.Findings.Count, "finding", "findings")}, {report.Gate.Suppressed.Count} suppressed{(report.Complete ? string.Empty : "; the account is INCOMPLETE")}");
        }

        return exitCode;
    }
}
