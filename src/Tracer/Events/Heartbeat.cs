namespace LeakScope.Tracer.Events;

/// <summary>The target's authoritative counts per family, every 100 ms and once at exit (event 9). Allocations and frees are cumulative over the process's life.</summary>
public readonly record struct Heartbeat(long Sequence, FamilyCounts Raw, FamilyCounts Pool, long MisuseCount, HeartbeatFlags Flags);
