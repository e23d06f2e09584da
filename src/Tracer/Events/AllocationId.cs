namespace LeakScope.Tracer.Events;

/// <summary>A block's identity for its whole life: unique per process, never reused (addresses are). 0 = none.</summary>
public readonly record struct AllocationId(long Value)
{
    public bool IsNone => Value == 0;

    public override string ToString() => $"#{Value}";
}
