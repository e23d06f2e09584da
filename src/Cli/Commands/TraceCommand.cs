using System.CommandLine;
using System.Globalization;
using LeakScope.Cli.Live;
using LeakScope.Cli.Output;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Reporting;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Commands;

/// <summary>
/// <c>leakscope trace</c>: attaches to a running process (by pid, name or diagnostic port) or launches one suspended,
/// shows the live view, and when the target exits, the duration elapses, or on Ctrl+C / SIGTERM, writes every
/// requested report and exits with the gate's verdict.
/// </summary>
internal static class TraceCommand
{
    public static Command Create(IReadOnlyList<string> launchCommand)
    {
        // A string, so a mistyped option ("--quite") is named as one instead of failing to parse as a process id.
        var pidArgument = new Argument<string?>("pid")
        {
            Description = "The process to attach to (same as --process-id).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var processIdOption = new Option<int?>("--process-id", "-p") { Description = "The process to attach to." };
        var nameOption = new Option<string?>("--name", "-n") { Description = "The process to attach to, by name: its program (MyApp for 'dotnet MyApp.dll') or process name." };
        var portOption = new Option<string?>("--diagnostic-port")
        {
            Description = "Trace the process on this diagnostic port: 'path' or 'path,listen' waits for a process started with DOTNET_DiagnosticPorts=path; 'path,connect' connects to a runtime listening there.",
            HelpName = "path[,listen|connect]",
        };
        var durationOption = new Option<string?>("--duration")
        {
            Description = "Detach after this long: seconds (30, 1.5) or [dd:]hh:mm:ss. A launched target is then stopped. Default: until the target exits.",
            HelpName = "time",
        };
        var netTraceOption = new Option<string?>("--nettrace") { Description = "Also keep the raw events in this .nettrace file (readable by 'leakscope analyze').", HelpName = "file" };
        var bufferOption = new Option<int>("--buffersize")
        {
            Description = "EventPipe's buffer in the target, in MB.",
            DefaultValueFactory = _ => TraceOptions.DefaultBufferSizeMB,
            HelpName = "MB",
        };
        var perOperationOption = new Option<bool>("--per-operation")
        {
            Description = "Ask for one event per allocator operation instead of the high-rate batches (much slower targets; the events dotnet-trace and PerfView record).",
        };
        var ignoreExitOption = new Option<bool>(TargetExitRule.OptOut)
        {
            Description = "Do not fail the gate when a launched target exits with a non-zero code or dies by a signal (by default that fails it, exit 1).",
        };
        var reachabilityOption = new Option<bool>("--reachability")
        {
            Description = "At the end of the trace, take a heap snapshot and judge every live block by who holds it: leaks get a reachability (unreferenced, indirect, held-by-garbage, interior), blocks still reachable from a GC root become 'retained' findings with the path that holds them (not gated by default). A launched target holds its exit until the snapshot is taken.",
        };
        var keepDumpOption = new Option<string?>("--keep-dump")
        {
            Description = "With --reachability: keep the heap dump of the snapshot at this path (it is deleted otherwise).",
            HelpName = "file",
        };
        var report = new ReportOptions();
        var stacks = new StackOptions();

        var command = new Command("trace",
            "Trace a .NET process that uses LeakScope.Allocator — a running one, or one launched after '--' — then report native-memory leaks and misuse.\n" +
            "Stops when the target exits, after --duration, or on Ctrl+C / SIGTERM, and writes every report either way.\n\n" +
            "Examples:\n" +
            "  leakscope trace -- dotnet bin/Release/net10.0/MyApp.dll --app-arg\n" +
            "  leakscope trace 1234 --duration 30\n" +
            "  leakscope trace -n MyService --duration 00:05:00 --format html -o leaks.html\n" +
            "  leakscope trace --format sarif=leaks.sarif,junit=leaks.xml,text --fail-on leak,double-free -- dotnet test.dll\n" +
            "  leakscope trace --reachability -- dotnet MyApp.dll     (leaked, or still held — and by whom)\n" +
            "  leakscope trace --diagnostic-port /tmp/app.sock     (then: DOTNET_DiagnosticPorts=/tmp/app.sock dotnet MyApp.dll)")
        {
            pidArgument, processIdOption, nameOption, portOption, durationOption, bufferOption, netTraceOption, perOperationOption, ignoreExitOption,
            reachabilityOption, keepDumpOption,
        };
        stacks.AddTo(command, sampling: true);
        report.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) => await ErrorHandling.RunAsync(async () =>
        {
            TraceTarget target = Target(ProcessIdArgument(parseResult.GetValue(pidArgument), command), parseResult.GetValue(processIdOption), parseResult.GetValue(nameOption), parseResult.GetValue(portOption), launchCommand);
            ReportRequest request = ReportRequestParser.Parse(parseResult, report);
            var options = new TraceCommandOptions(
                target,
                Duration(parseResult.GetValue(durationOption)),
                parseResult.GetValue(netTraceOption),
                parseResult.GetValue(bufferOption) is var buffer and > 0 ? buffer : throw new UsageException("--buffersize must be a positive number of MB"),
                request with { Gate = request.Gate with { IgnoreTargetExitCode = parseResult.GetValue(ignoreExitOption) } })
            {
                PerOperation = parseResult.GetValue(perOperationOption),
                Stacks = StackOptions.Parse(parseResult.GetValue(stacks.Stacks)),
                StackSampleBytes = StackOptions.ParseSampleBytes(parseResult.GetValue(stacks.SampleBytes)),
                Reachability = parseResult.GetValue(reachabilityOption)
                    && (target is TraceTarget.DiagnosticPort ? throw new UsageException("--reachability works with a launched (--) or attached (pid, -n) target, not with --diagnostic-port") : true),
                KeepDump = parseResult.GetValue(keepDumpOption) is { } keep
                    ? (parseResult.GetValue(reachabilityOption) ? Path.GetFullPath(keep) : throw new UsageException("--keep-dump needs --reachability"))
                    : null,
            };
            return await RunAsync(options, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false));

        return command;
    }

    /// <summary>The positional process id: a number, or a usage error naming the mistake (an unknown option lands here).</summary>
    private static int? ProcessIdArgument(string? text, Command command)
    {
        if (text is null)
        {
            return null;
        }

        if (text.StartsWith('-'))
        {
            throw new UsageException(UsageHints.UnknownOption(text, command.Name, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))));
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0
            ? pid
            : throw new UsageException($"'{text}' is not a process id (to launch a program, put it after '--': leakscope trace -- {text} ...)");
    }

    private static TraceTarget Target(int? positional, int? processId, string? name, string? port, IReadOnlyList<string> launch)
    {
        if (positional is not null && processId is not null && positional != processId)
        {
            throw new UsageException("give the process id once: either as an argument or with --process-id");
        }

        var targets = new List<TraceTarget>();
        if ((positional ?? processId) is { } pid)
        {
            targets.Add(new TraceTarget.ProcessId(pid));
        }

        if (name is not null)
        {
            targets.Add(new TraceTarget.ProcessName(name));
        }

        if (port is not null)
        {
            targets.Add(new TraceTarget.DiagnosticPort(port));
        }

        if (launch.Count > 0)
        {
            targets.Add(new TraceTarget.Launch(launch));
        }

        return targets.Count switch
        {
            1 => targets[0],
            0 => throw new UsageException("nothing to trace: give a process id, --name, --diagnostic-port, or a command after '--'"),
            _ => throw new UsageException("give one target: a process id, --name, --diagnostic-port, or a command after '--', not several"),
        };
    }

    private static TimeSpan? Duration(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!TryParseDuration(text, out TimeSpan duration))
        {
            throw new UsageException($"--duration '{text}' is not a duration (seconds, or [dd:]hh:mm:ss)");
        }

        return duration <= MaxDuration
            ? duration
            : throw new UsageException($"--duration '{text}' is longer than the longest supported ({Math.Floor(MaxDuration.TotalDays):0} days); leave it out to trace until the target exits");
    }

    private static async Task<ExitCode> RunAsync(TraceCommandOptions options, CancellationToken cancellationToken)
    {
        ReportPublisher.CheckWritable(options.Report);
        if (options.NetTrace is { } recording)
        {
            ReportPublisher.CheckWritable(recording, "the --nettrace recording");
        }

        using var termination = new TerminationSignal(cancellationToken);
        var monitor = new TraceMonitor();
        LiveViewMode mode = LiveView.Choose(options.Report.Quiet);
        var traceOptions = new TraceOptions
        {
            Duration = options.Duration,
            NetTracePath = options.NetTrace,
            BufferSizeMB = options.BufferSizeMB,
            Monitor = mode == LiveViewMode.None ? null : monitor,
            PerOperation = options.PerOperation,
            Stacks = options.Stacks,
            StackSampleBytes = options.StackSampleBytes,
            Reachability = options.Reachability,
            KeepDumpPath = options.KeepDump,
        };

        // On a terminal the live view owns stderr's screen: the child's output goes through it, above the view.
        ChildOutput? childOutput = mode == LiveViewMode.Terminal && options.Target is TraceTarget.Launch ? new ChildOutput() : null;
        Task<TraceOutcome> tracing = options.Target switch
        {
            TraceTarget.ProcessId p => TraceRunner.AttachAsync(p.Pid, traceOptions, termination.Token),
            TraceTarget.ProcessName n => TraceRunner.AttachAsync(ProcessDirectory.FindByName(n.Name), traceOptions, termination.Token),
            TraceTarget.DiagnosticPort d => AttachToPortAsync(d.Port, traceOptions, mode, termination.Token),
            TraceTarget.Launch l => TraceRunner.LaunchAsync(
                new LaunchSpec(l.Command[0], l.Command.Skip(1).ToArray()) { StandardOutput = childOutput, StandardError = childOutput },
                traceOptions,
                termination.Token),
            _ => throw new InvalidOperationException(options.Target.ToString()),
        };

        await new LiveView(mode, monitor, Title(options.Target), childOutput).ShowUntilAsync(tracing).ConfigureAwait(false);
        TraceOutcome outcome = await tracing.ConfigureAwait(false);

        if (!outcome.AllocatorSeen)
        {
            string died = outcome.Target.ExitCode is { } code and not 0 ? $" before it exited with code {code} (or it died before sending any)" : string.Empty;
            ErrorHandling.Fail($"pid {outcome.Target.Pid} ({outcome.Target.Command}) does not use LeakScope.Allocator: no LeakScope-Allocator event arrived{died}, so there is nothing to report", ExitCode.TraceFailed);
            return ExitCode.TraceFailed;
        }

        var report = TraceReport.From(outcome, options.Report.Gate);
        ExitCode exitCode = ReportPublisher.Publish(report, options.Report);
        if (outcome.Session.RecordingError is { } recordingError)
        {
            ErrorHandling.Fail($"the recording {options.NetTrace} is incomplete: {recordingError}", ExitCode.TraceFailed);
            exitCode = ExitCode.TraceFailed;
        }

        if (options.Target is TraceTarget.Launch)
        {
            Console.Error.WriteLine(outcome.Target switch
            {
                { ExitCode: { } code } => $"leakscope: the target exited with code {code}",
                { KilledByTracer: true } => "leakscope: the target was stopped by the tracer",
                _ => "leakscope: tracing stopped before the target's exit code was known",
            });
        }

        if (!options.Report.Quiet)
        {
            Console.Error.WriteLine($"leakscope: gate {(report.Gate.Passed ? "passed" : "failed")} ({report.Gate.Policy.Describe()}): {FindingWords.Counted(report.Findings.Count, "finding", "findings")}, {report.Gate.Suppressed.Count} suppressed{(report.Complete ? string.Empty : "; the account is INCOMPLETE")}");
        }

        return exitCode;
    }

    private static async Task<TraceOutcome> AttachToPortAsync(string port, TraceOptions options, LiveViewMode mode, CancellationToken cancellationToken)
    {
        if (mode != LiveViewMode.None && !port.Contains(",connect", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"leakscope: waiting for a process to connect: start it with DOTNET_DiagnosticPorts={port.Split(',')[0]}").ConfigureAwait(false);
        }

        return await TraceRunner.AttachToPortAsync(port, options, cancellationToken).ConfigureAwait(false);
    }

    private static string Title(TraceTarget target) => target switch
    {
        TraceTarget.ProcessId p => $"pid {p.Pid}",
        TraceTarget.ProcessName n => n.Name,
        TraceTarget.DiagnosticPort d => d.Port,
        TraceTarget.Launch l => string.Join(' ', l.Command),
        _ => string.Empty,
    };

    /// <summary>The longest timer .NET can set (about 49.7 days).</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

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
