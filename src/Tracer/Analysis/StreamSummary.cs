namespace LeakScope.Tracer.Analysis;

/// <summary>
/// What only the source and decoder know about a stream, handed to the engine when it judges:
/// EventPipe's lost-event count (exact, from sequence numbers), the events that could not be decoded, and
/// whether the stream ended cleanly (its end-of-stream marker read: the runtime flushed everything) or was
/// cut (the target was killed or crashed, or the tracer had to abandon the drain).
/// <see cref="Batched"/>: the target published in the high-rate mode, so at its exit its last records were
/// still in its own buffers and only the exit file carries them (<see cref="ExitFile"/>).
/// </summary>
public sealed record StreamSummary(StreamEnd End, long EventsLost = 0, long UndecodableEvents = 0, bool CleanEnd = true)
{
    /// <summary>A stream that ended cleanly when the target exited, with nothing lost or undecodable.</summary>
    public static readonly StreamSummary CleanExit = new(StreamEnd.TargetExited);

    /// <summary>The stream carried (or its session asked for) high-rate batches.</summary>
    public bool Batched { get; init; }

    /// <summary>What became of the exit file.</summary>
    public ExitFileStatus ExitFile { get; init; }

    /// <summary>
    /// The session began before the target ran any managed code (<c>leakscope trace -- command</c> starts it suspended), so
    /// the target's lifetime allocation and free counts and the account cover the same operations and can be compared.
    /// </summary>
    public bool FromProcessStart { get; init; }

    /// <summary>A live session that detached (ended by its duration or by cancellation): whether the target confirmed the cut. Null otherwise.</summary>
    public DetachStatus? Detach { get; init; }

    /// <summary>High-rate batches that never arrived though a later batch of the same target thread did (sequence gaps).</summary>
    public long MissingBatches { get; init; }
}
