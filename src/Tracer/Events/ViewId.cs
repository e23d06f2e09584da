namespace LeakScope.Tracer.Events;

/// <summary>A view (or pin) exported by a buffer.</summary>
public readonly record struct ViewId(long Value)
{
    /// <summary><c>view #12</c>.</summary>
    public override string ToString() => $"view #{Value}";
}
