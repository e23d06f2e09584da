using System.CommandLine;
using System.Globalization;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Commands;

/// <summary>
/// <c>leakscope trace [pid] [-p|--process-id pid] [--duration t] [--format text|json] [-o file] [--nettrace file] [--buffersize MB] [--per-operation] [-- command args]</c>:
/// attaches to a running process, or launches one suspended, and reports when it exits, at the duration,
/// or on Ctrl+C / SIGTERM.
/// </summary>
internal static class TraceCommand
{
    public static Command Create(IReadOnlyList<string> launchCommand)
    {
        var pidArgument = new Argument<int?>("pid")
        {
            Description = "The process to attach to.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var processIdOption = new Option<int?>("--process-id", "-p") { Description = "The process to attach to." };
        var durationOption = new Option<string?>("--duration")
        {
            Description = "Detach after this long: seconds (30, 1.5) or dd:hh:mm:ss / hh:mm:ss. Default: until the target exits.",
        };
        var formatOption = CommonOptions.Format();
        var outputOption = CommonOptions.Output();
        var netTraceOption = new Option<string?>("--nettrace") { Description = "Also keep the raw events in this .nettrace file (readable by 'leakscope analyze')." };
        var bufferOption = new Option<int>("--buffersize")
        {
            Description = "EventPipe buffer in the target, in MB.",
            DefaultValueFactory = _ => TraceOptions.DefaultBufferSizeMB,
        };
        var perOperationOption = new Option<bool>("--per-operation")
        {
            Description = "Ask for one event per allocator operation instead of the high-rate batches (much slower targets; the events dotnet-trace and PerfView record).",
        };

        var command = new Command("trace", "Trace a running .NET process (by pid) or launch one after '--', then report native-memory leaks and misuse.\n" +
            "Examples:\n  leakscope trace 1234\n  leakscope trace --format json -o report.json -- dotnet app.dll --app-arg")
        {
            pidArgument, processIdOption, durationOption, formatOption, outputOption, netTraceOption, bufferOption, perOperationOption,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            int? positional = parseResult.GetValue(pidArgument);
            int? option = parseResult.GetValue(processIdOption);
            if (positional is not null && option is not null && positional != option)
            {
                return Cli.Usage("give the process id once: either as an argument or with --process-id");
            }

            int? pid = positional ?? option;
            if (pid is null == (launchCommand.Count == 0))
            {
                return Cli.Usage(pid is null
                    ? "nothing to trace: give a process id, or a command after '--'"
                    : "give either a process id or a command after '--', not both");
            }

            TimeSpan? duration = null;
            if (parseResult.GetValue(durationOption) is { } text)
            {
                if (!TryParseDuration(text, out TimeSpan parsed))
                {
                    return Cli.Usage($"--duration '{text}' is not a duration (seconds, or hh:mm:ss)");
                }

                duration = parsed;
            }

            int buffer = parseResult.GetValue(bufferOption);
            if (buffer <= 0)
            {
                return Cli.Usage("--buffersize must be a positive number of MB");
            }

            var options = new TraceCommandOptions(pid, launchCommand, duration, parseResult.GetValue(formatOption), parseResult.GetValue(outputOption), parseResult.GetValue(netTraceOption), buffer)
            {
                PerOperation = parseResult.GetValue(perOperationOption),
            };
            return await RunAsync(options, cancellationToken).ConfigureAwait(false);
        });

        return command;
    }

    private static async Task<int> RunAsync(TraceCommandOptions options, CancellationToken cancellationToken)
    {
        using var termination = new TerminationSignal(cancellationToken);
        var traceOptions = new TraceOptions
        {
            Duration = options.Duration,
            NetTracePath = options.NetTrace,
            BufferSizeMB = options.BufferSizeMB,
            PerOperation = options.PerOperation,
        };

        return await Cli.RunAsync(async () =>
        {
            TraceOutcome outcome = options.ProcessId is { } pid
                ? await TraceRunner.AttachAsync(pid, traceOptions, termination.Token).ConfigureAwait(false)
                : await TraceRunner.LaunchAsync(new LaunchSpec(options.Command[0], options.Command.Skip(1).ToArray()), traceOptions, termination.Token).ConfigureAwait(false);

            var report = TraceReport.From(outcome);
            ReportOutput.Write(report, options.Format, options.Output);
            if (outcome.Target.ExitCode is { } exitCode && exitCode != 0)
            {
                Console.Error.WriteLine($"leakscope: the target exited with code {exitCode}");
            }

            return ReportOutput.ExitCodeFor(report);
        }).ConfigureAwait(false);
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
        {
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
    }
}
