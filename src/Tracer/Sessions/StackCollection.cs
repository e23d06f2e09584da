namespace LeakScope.Tracer.Sessions;

/// <summary>Which allocations carry their call stack (<c>--stacks</c>; docs/stacks.md).</summary>
public enum StackCollection
{
    /// <summary>No stacks: one session, today's cost.</summary>
    None = 0,

    /// <summary>Allocations sampled by bytes (a Poisson process), plus the first at every site; misuse always. Figures scaled, marked estimated.</summary>
    Sampled = 1,

    /// <summary>Every allocation and realloc, and misuse: exact attribution.</summary>
    All = 2,
}
