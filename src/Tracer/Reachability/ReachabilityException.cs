namespace LeakScope.Tracer.Reachability;

/// <summary>A reachability snapshot could not be taken or read: no dump (permission, disk), or an unreadable one.</summary>
public sealed class ReachabilityException : TracerException
{
    internal ReachabilityException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
