namespace LeakScope.Tracer.Events;

/// <summary>A view (or pin) exported by a buffer.</summary>
public readonly record struct ViewId(long Value)
{
    public override string ToString() => $"view #{Value}";
}
