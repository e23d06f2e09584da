namespace LeakScope.Tracer.Events;

/// <summary>The start of a rundown of blocks live when a session enabled the source (event 6).</summary>
public readonly record struct RundownStarted(long Generation);
