using System.CommandLine;
using LeakScope.Cli;
using LeakScope.Cli.Commands;

// Everything after the first "--" is the command to launch, passed through untouched.
int split = Array.IndexOf(args, "--");
string[] ours = split < 0 ? args : args[..split];
string[] launch = split < 0 ? [] : args[(split + 1)..];

var root = new RootCommand("LeakScope: native-memory leak and misuse tracer for .NET programs that use LeakScope.Allocator.")
{
    TraceCommand.Create(launch),
    AnalyzeCommand.Create(),
};

ParseResult parsed = root.Parse(ours);
if (parsed.Errors.Count > 0)
{
    foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
    {
        Console.Error.WriteLine($"leakscope: {error.Message}");
    }

    return (int)ExitCode.UsageError;
}

if (launch.Length > 0 && parsed.CommandResult.Command.Name != "trace")
{
    Console.Error.WriteLine("leakscope: a command after '--' is only for 'leakscope trace'");
    return (int)ExitCode.UsageError;
}

// Ctrl+C / SIGTERM are handled by the trace command itself (stop, drain, still report): no forced exit.
// Expected failures are handled inside the commands; anything else is a bug: print it in full and exit 3,
// never 1 (which means "findings present").
try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    Console.Error.WriteLine($"leakscope: internal error: {e}");
    return (int)ExitCode.TraceFailed;
}
