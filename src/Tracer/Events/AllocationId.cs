namespace LeakScope.Tracer.Events;

/// <summary>A block's identity for its whole life: unique per process, never reused (addresses are). 0 = none.</summary>
public readonly record struct AllocationId(long Value)
{
    /// <summary>Id 0: no block.</summary>
    public bool IsNone => Value == 0;

    /// <summary><c>#42</c>.</summary>
    public override string ToString() => $"#{Value}";
}
