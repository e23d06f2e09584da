namespace LeakScope.Tracer.Gate;

/// <summary>A suppressions file that cannot be used: missing, unreadable, or a malformed line (the message names the file and line).</summary>
public sealed class SuppressionFileException : TracerException
{
    internal SuppressionFileException(string message)
        : base(message)
    {
    }

    internal SuppressionFileException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
