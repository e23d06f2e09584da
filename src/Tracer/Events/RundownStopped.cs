namespace LeakScope.Tracer.Events;

/// <summary>The end of a rundown, with what it published (event 8).</summary>
public readonly record struct RundownStopped(long Generation, long Blocks, long Bytes);
