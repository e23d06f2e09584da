using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>The heartbeat's flags; the values are <see cref="WireHeartbeatFlags"/>.</summary>
[Flags]
public enum HeartbeatFlags
{
    /// <summary>No flag: a periodic heartbeat of a target in the per-operation mode.</summary>
    None = 0,

    /// <summary>Published while the process exits: nothing allocates after it.</summary>
    Final = WireHeartbeatFlags.Final,

    /// <summary>The target publishes its block operations in batches (the high-rate mode): its last records travel in the exit file.</summary>
    Batched = WireHeartbeatFlags.Batched,
}
