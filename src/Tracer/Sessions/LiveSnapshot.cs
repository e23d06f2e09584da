using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// One look at a trace in progress: events read and lost so far, the stream's own clock (seconds since the trace
/// started, from event timestamps), and the engine's account.
/// </summary>
public sealed record LiveSnapshot(long EventsRead, long EventsLost, double StreamSeconds, EngineSnapshot Engine);
