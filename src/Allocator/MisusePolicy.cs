namespace LeakScope.Allocator;

/// <summary>
/// What the allocator does when it catches a misuse (wrong-family free, double free, invalid free,
/// realloc of a freed block). The misuse event is published first under every policy.
/// Set it from code with <see cref="AllocatorSettings.MisusePolicy"/> or from the
/// <c>LEAKSCOPE_MISUSE</c> environment variable (<c>report</c>, <c>throw</c>, <c>failfast</c>).
/// </summary>
public enum MisusePolicy
{
    /// <summary>Publish the event, count it, and carry on without corrupting the heap (the default).</summary>
    Report = 0,

    /// <summary>Publish the event, then throw <see cref="AllocatorMisuseException"/>; the heap is left untouched.</summary>
    Throw = 1,

    /// <summary>Publish the event, then end the process with <see cref="Environment.FailFast(string)"/>.</summary>
    FailFast = 2,
}
