namespace LeakScope.Tracer.Sessions;

/// <summary>The target could not be traced: no such process, it exited before the session started, no permission, diagnostics disabled, or the command could not be started.</summary>
public sealed class TargetUnavailableException : TracerException
{
    internal TargetUnavailableException(string message)
        : base(message)
    {
    }

    internal TargetUnavailableException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
