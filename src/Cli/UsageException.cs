namespace LeakScope.Cli;

/// <summary>A command line that parsed but makes no sense (two targets, an unknown format, …): exit 2 with its message.</summary>
internal sealed class UsageException(string message) : Exception(message);
