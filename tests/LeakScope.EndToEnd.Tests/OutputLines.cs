namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// A launched target's output (<see cref="LeakScope.Tracer.Sessions.LaunchSpec.StandardOutput"/>), kept as text like a
/// <see cref="StringWriter"/>, that also lets a test wait (bounded) for a line: each line written wakes the waiters.
/// </summary>
internal sealed class OutputLines : StringWriter
{
    private readonly Lock _lock = new();
    private readonly LineArrivals _written = new();

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            base.WriteLine(value);
        }

        _written.Arrived();
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return base.ToString();
        }
    }

    /// <summary>Waits until a line starting with <paramref name="prefix"/> has been written, and returns it.</summary>
    public Task<string> WaitForLineAsync(string prefix, TimeSpan bound) =>
        _written.WaitForAsync(
            () => StressTarget.Lines(this).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)),
            bound,
            () => $"no line starting '{prefix}' within {bound.TotalSeconds:0} s; output so far:\n{this}");
}
