namespace LeakScope.Tracer.Analysis;

/// <summary>
/// What only the source and decoder know about a stream, handed to the engine when it judges:
/// EventPipe's lost-event count (exact, from sequence numbers), the events that could not be decoded, and
/// whether the stream ended cleanly (its end-of-stream marker read: the runtime flushed everything) or was
/// cut (the target was killed or crashed, or the tracer had to abandon the drain).
/// </summary>
public sealed record StreamSummary(StreamEnd End, long EventsLost = 0, long UndecodableEvents = 0, bool CleanEnd = true)
{
    public static readonly StreamSummary CleanExit = new(StreamEnd.TargetExited);
}
