namespace LeakScope.Allocator.Diagnostics;

/// <summary>Which allocations a stack-walking session gets a <c>StackSample</c> for (the <c>Stacks</c> provider argument).</summary>
internal enum StackMode
{
    /// <summary>No session asked for stacks: nothing is written.</summary>
    None = 0,

    /// <summary>By bytes (a Poisson process), plus the first allocation at every site.</summary>
    Sampled = 1,

    /// <summary>Every allocation and realloc.</summary>
    All = 2,
}
