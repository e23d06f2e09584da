namespace LeakScope.Tracer.Events;

/// <summary>
/// The target's answer to a detaching tracer's flush request (event 11, docs/reliability.md): every record up to here is
/// published, and the heartbeat numbered <see cref="HeartbeatSequence"/>, next in the stream, counts exactly what they
/// hold. <see cref="Token"/> is the one the tracer sent, so each of two concurrent tracers finds its own answer.
/// </summary>
public readonly record struct DetachFlushed(long Token, long HeartbeatSequence);
