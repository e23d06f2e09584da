namespace LeakScope.Tracer.Events;

/// <summary>An interned (file, line, member) call site. 0 = no site.</summary>
public readonly record struct SiteId(int Value)
{
    /// <summary>Id 0: no site.</summary>
    public bool IsNone => Value == 0;

    /// <summary><c>site 7</c>.</summary>
    public override string ToString() => $"site {Value}";
}
