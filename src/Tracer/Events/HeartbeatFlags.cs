namespace LeakScope.Tracer.Events;

[Flags]
public enum HeartbeatFlags
{
    None = 0,

    /// <summary>Published while the process exits: nothing allocates after it.</summary>
    Final = 1,
}
