namespace LeakScope.Tracer.Decoding;

/// <summary>A trace (file or stream) that cannot be read: missing, corrupt, not a trace, or from a newer schema.</summary>
public class TraceUnreadableException : TracerException
{
    public TraceUnreadableException(string message)
        : base(message)
    {
    }

    public TraceUnreadableException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
