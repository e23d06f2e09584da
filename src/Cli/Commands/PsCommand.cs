using System.CommandLine;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Commands;

/// <summary>
/// <c>leakscope ps</c>: the processes that can be traced (a live .NET diagnostic socket in the temp directory), with
/// whether LeakScope.Allocator is loaded in them. Works as root too, where the runtime's own listing throws.
/// </summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var command = new Command("ps",
            "List the .NET processes that can be traced: pid, name, whether LeakScope.Allocator is loaded (from /proc/<pid>/maps), command line.\n\n" +
            "Example:\n  leakscope ps");
        command.SetAction(async (parseResult, cancellationToken) => await ErrorHandling.RunAsync(() =>
        {
            IReadOnlyList<TraceableProcess> processes = ProcessDirectory.List();
            if (processes.Count == 0)
            {
                Console.Error.WriteLine("leakscope: no .NET process with a diagnostic port was found");
                return Task.FromResult(ExitCode.Success);
            }

            int nameWidth = Math.Max(4, processes.Max(p => p.Name.Length));
            Console.WriteLine($"{"pid",8}  {"name".PadRight(nameWidth)}  {"allocator",-9}  command line");
            foreach (TraceableProcess p in processes)
            {
                string allocator = p.UsesAllocator switch { true => "loaded", false => "-", null => "?" };
                Console.WriteLine($"{p.Pid,8}  {p.Name.PadRight(nameWidth)}  {allocator,-9}  {p.CommandLine}");
            }

            return Task.FromResult(ExitCode.Success);
        }).ConfigureAwait(false));
        return command;
    }
}
