namespace LeakScope.Tracer.Events;

/// <summary>An owned array or buffer (drawn from the allocation-id space, stable across its storage's reallocs).</summary>
public readonly record struct OwnerId(long Value)
{
    /// <summary><c>owner #7</c>.</summary>
    public override string ToString() => $"owner #{Value}";
}
