namespace LeakScope.Allocator.Tests.Support;

/// <summary>Sets the process-wide <see cref="AllocatorSettings.MisusePolicy"/> and restores the previous one on dispose.</summary>
internal sealed class MisusePolicyScope : IDisposable
{
    private readonly MisusePolicy _previous;

    public MisusePolicyScope(MisusePolicy policy)
    {
        _previous = AllocatorSettings.MisusePolicy;
        AllocatorSettings.MisusePolicy = policy;
    }

    public void Dispose() => AllocatorSettings.MisusePolicy = _previous;
}
