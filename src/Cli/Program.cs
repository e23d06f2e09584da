using System.CommandLine;
using LeakScope.Cli;
using LeakScope.Cli.Commands;

// Everything after the first "--" is the command to launch, passed through untouched.
int split = Array.IndexOf(args, "--");
string[] ours = split < 0 ? args : args[..split];
string[] launch = split < 0 ? [] : args[(split + 1)..];

var root = new RootCommand(
    "LeakScope: find native-memory leaks and misuse in .NET programs that use LeakScope.Allocator.\n\n" +
    "Examples:\n" +
    "  leakscope trace -- dotnet bin/Release/net10.0/MyApp.dll      run a built program under the tracer\n" +
    "  leakscope trace -n MyService --duration 60                   attach to a running process for a minute\n" +
    "  leakscope analyze app.nettrace --format sarif -o leaks.sarif  report on a recorded trace\n" +
    "  leakscope snapshot 1234                                      who holds each native block of a running process, now\n" +
    "  leakscope ps                                                 list the processes that can be traced\n\n" +
    "Exit codes: 0 clean or gate passed, 1 gate failed, 2 usage error, 3 target could not be traced or trace unreadable.")
{
    TraceCommand.Create(launch),
    AnalyzeCommand.Create(),
    SnapshotCommand.Create(),
    PsCommand.Create(),
};

ParseResult parsed = root.Parse(ours);
if (parsed.CommandResult.Command is RootCommand && ours.Length > 0 && !ours[0].StartsWith('-'))
{
    // "leakscope analyse x": name the unknown command, not "Required command was not provided".
    return ErrorHandling.Fail(UsageHints.UnknownCommand(ours[0], root.Subcommands.Select(c => c.Name)), ExitCode.UsageError);
}

if (parsed.Errors.Count > 0)
{
    // One line: the first error, and where help is.
    string command = parsed.CommandResult.Command is RootCommand ? string.Empty : parsed.CommandResult.Command.Name + " ";
    return ErrorHandling.Fail($"{parsed.Errors[0].Message} (see 'leakscope {command}--help')", ExitCode.UsageError);
}

if (launch.Length > 0 && parsed.CommandResult.Command.Name != "trace")
{
    return ErrorHandling.Fail("a command after '--' is only for 'leakscope trace'", ExitCode.UsageError);
}

// Ctrl+C / SIGTERM are handled by the commands themselves (stop, drain, still report): no forced exit.
// Expected failures are handled inside the commands; anything else is a bug: print it in full and exit 3,
// never 1 (which means "the gate failed").
if (parsed.Action is System.CommandLine.Help.HelpAction && parsed.CommandResult.Command.Name == "trace")
{
    // The usage line System.CommandLine writes cannot show the command after "--": add it.
    using var help = new StringWriter();
    int helped = await parsed.InvokeAsync(new InvocationConfiguration { Output = help });
    Console.Out.Write(UsageHints.WithLaunchCommand(help.ToString()));
    return helped;
}

try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    Console.Error.WriteLine($"leakscope: internal error: {e}");
    return (int)ExitCode.TraceFailed;
}
