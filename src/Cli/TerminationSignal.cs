using System.Runtime.InteropServices;

namespace LeakScope.Cli;

/// <summary>
/// One cancellation token for Ctrl+C and SIGTERM (dotnet/diagnostics' ProcessTerminationHandler): the first
/// signal cancels — the tracer then stops the session, drains it and still writes the report — instead of
/// killing the process.
/// </summary>
internal sealed class TerminationSignal : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public TerminationSignal(CancellationToken outer)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
        _source.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _source.Cancel();
    }
}
