namespace LeakScope.Tracer.Events;

[Flags]
public enum HeartbeatFlags
{
    None = 0,

    /// <summary>Published while the process exits: nothing allocates after it.</summary>
    Final = 1,

    /// <summary>The target publishes its block operations in batches (the high-rate mode): its last records travel in the exit file.</summary>
    Batched = 2,
}
