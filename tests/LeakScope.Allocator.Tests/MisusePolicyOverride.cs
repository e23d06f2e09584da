namespace LeakScope.Allocator.Tests;

/// <summary>Sets the process-wide misuse policy for one test (in the serial collection) and restores it.</summary>
internal sealed class MisusePolicyOverride : IDisposable
{
    private readonly MisusePolicy _previous;

    private MisusePolicyOverride(MisusePolicy policy)
    {
        _previous = AllocatorSettings.MisusePolicy;
        AllocatorSettings.MisusePolicy = policy;
    }

    public static MisusePolicyOverride Use(MisusePolicy policy) => new(policy);

    public void Dispose() => AllocatorSettings.MisusePolicy = _previous;
}
