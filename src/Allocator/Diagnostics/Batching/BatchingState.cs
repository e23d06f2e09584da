namespace LeakScope.Allocator.Diagnostics.Batching;

/// <summary>The states of the high-rate protocol (<see cref="BatchingSession"/>, docs/batch-format.md).</summary>
internal enum BatchingState
{
    /// <summary>No session asks for batches: nothing is recorded.</summary>
    Off,

    /// <summary>Records are written and published; a pending allocation freed by its owner may fold (if its id is at or above the fold floor).</summary>
    Batching,

    /// <summary>A rundown walks the heap: records are written and published, nothing folds (a block the walk reports must not vanish into a fold).</summary>
    Walking,

    /// <summary>The process exits: sessions are gone, batches go to the exit file. Final.</summary>
    Exiting,
}
