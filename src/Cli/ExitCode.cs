namespace LeakScope.Cli;

/// <summary>The exit codes of <c>leakscope</c>: stable, documented in the README.</summary>
public enum ExitCode
{
    /// <summary>Traced, and no finding (or the gate passed).</summary>
    Clean = 0,

    /// <summary>Traced, and findings are present (the gate failed).</summary>
    Findings = 1,

    /// <summary>The command line was wrong.</summary>
    UsageError = 2,

    /// <summary>The target could not be traced (not found, exited before attach, no permission) or the trace is unreadable.</summary>
    TraceFailed = 3,
}
