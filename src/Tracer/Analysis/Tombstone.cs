using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// A free (or the old half of a realloc) of an id the model has not seen live yet. It is either resolved
/// by a late allocation or rundown record of the same id, or stays "untracked" at the end.
/// <see cref="BeforeRundownDone"/>: the free arrived before the first rundown finished, so it can be a
/// block allocated before the session and freed before the rundown walked past it. <see cref="ReadAt"/>: the block
/// record it was read at (HeapModel.RecordsRead), so a heartbeat can tell a free read before it from one read after.
/// </summary>
internal readonly record struct Tombstone(long Size, HeapFamily Family, int FreeSite, bool BeforeRundownDone, long ReadAt);
