using System.Globalization;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Gate;

/// <summary>
/// The gate's rule for a launched target's own end: a target that exited with a non-zero code, or died by a signal,
/// fails the gate (a crash can hide leaks and misuse the account never saw). A target the tracer stopped, one that
/// was attached to (its exit code is not ours to know) and a recording are not judged by this rule.
/// </summary>
public static class TargetExitRule
{
    /// <summary>The option that turns the rule off.</summary>
    public const string OptOut = "--ignore-target-exit-code";

    /// <summary>Why the gate fails because of the target's exit, or null when it does not.</summary>
    public static string? Failure(TargetInfo? target)
    {
        if (target is not { ExitCode: { } code, KilledByTracer: false } || code == 0)
        {
            return null;
        }

        // On Unix .NET reports a death by signal N as exit code 128 + N.
        string signal = code is > 128 and < 128 + 65 ? $" (128 + {code - 128}: killed by signal {SignalName(code - 128)}, or exited with that code)" : string.Empty;
        return $"the target exited with code {code.ToString(CultureInfo.InvariantCulture)}{signal} ({OptOut} to pass anyway)";
    }

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => signal.ToString(CultureInfo.InvariantCulture),
    };
}
