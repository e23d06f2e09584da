namespace LeakScope.Tracer.Events;

/// <summary>An interned (file, line, member) call site. 0 = no site.</summary>
public readonly record struct SiteId(int Value)
{
    public bool IsNone => Value == 0;

    public override string ToString() => $"site {Value}";
}
