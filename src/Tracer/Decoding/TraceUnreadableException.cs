namespace LeakScope.Tracer.Decoding;

/// <summary>A trace (file or stream) that cannot be read: missing, corrupt, not a trace, or from a newer schema.</summary>
public class TraceUnreadableException : TracerException
{
    internal TraceUnreadableException(string message)
        : base(message)
    {
    }

    internal TraceUnreadableException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
