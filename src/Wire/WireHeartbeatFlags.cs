namespace LeakScope.Wire;

/// <summary>The bits of the heartbeat's <c>Flags</c> field (event 9 and the exit file's heartbeat section).</summary>
internal static class WireHeartbeatFlags
{
    /// <summary>The counts at process exit: nothing allocates after them (only in the exit file).</summary>
    public const int Final = 1;

    /// <summary>Block operations are published in batches (the high-rate mode): the last records travel in the exit file.</summary>
    public const int Batched = 2;
}
