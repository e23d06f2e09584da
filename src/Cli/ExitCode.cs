namespace LeakScope.Cli;

/// <summary>The exit codes of <c>leakscope</c>: stable, documented in the README.</summary>
public enum ExitCode
{
    /// <summary>Traced (or analyzed), and the gate passed: no finding it fails on. Also: ps and help succeeded.</summary>
    Success = 0,

    /// <summary>Traced, and the gate failed (by default: any finding that is not suppressed).</summary>
    GateFailed = 1,

    /// <summary>The command line was wrong: unknown option, bad value, malformed suppressions file, unwritable report path.</summary>
    UsageError = 2,

    /// <summary>The target could not be traced (not found, exited before attach, no permission) or the trace is unreadable.</summary>
    TraceFailed = 3,
}
