namespace LeakScope.Tracer;

/// <summary>
/// The base of every expected failure the tracer reports to its user: the target could not be traced, or
/// the trace could not be read. Front ends map these to one line and an exit code; anything else is a bug.
/// </summary>
public abstract class TracerException : Exception
{
    private protected TracerException(string message)
        : base(message)
    {
    }

    private protected TracerException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
