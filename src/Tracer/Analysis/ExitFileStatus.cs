namespace LeakScope.Tracer.Analysis;

/// <summary>What became of the exit file (docs/exit-file.md): the target's last batch records and final heartbeat.</summary>
public enum ExitFileStatus
{
    /// <summary>No exit file belongs to this stream (a recorded trace without one, or a source that does not ask for it).</summary>
    NotRequested,

    /// <summary>Read to its end marker: the stream's tail and the final heartbeat are in the account.</summary>
    Read,

    /// <summary>The target ended without writing it (no exit handler ran, or an allocator that does not know exit files).</summary>
    Empty,

    /// <summary>Written but unreadable (cut short, wrong magic, impossible section): counted as undecodable.</summary>
    Malformed,

    /// <summary>The tracer detached before the target exited and removed the file first, so nothing is written later.</summary>
    Withdrawn,
}
