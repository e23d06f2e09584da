namespace LeakScope.Cli.Commands;

/// <summary>What <c>leakscope trace</c> traces: exactly one of a process id, a process name, a diagnostic port, or a command to launch.</summary>
internal abstract record TraceTarget
{
    private TraceTarget()
    {
    }

    public sealed record ProcessId(int Pid) : TraceTarget;

    public sealed record ProcessName(string Name) : TraceTarget;

    public sealed record DiagnosticPort(string Port) : TraceTarget;

    public sealed record Launch(IReadOnlyList<string> Command) : TraceTarget;
}
