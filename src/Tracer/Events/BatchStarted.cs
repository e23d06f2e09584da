namespace LeakScope.Tracer.Events;

/// <summary>
/// The header of a high-rate batch (record tag 5, docs/batch-format.md): the block records that follow, up to the next
/// record of another kind, are the <see cref="Sequence"/>th batch of writer <see cref="Writer"/> (one per target
/// thread). Delivered once per batch, after duplicates replayed by the exit file have been dropped.
/// </summary>
public readonly record struct BatchStarted(long Writer, long Sequence);
