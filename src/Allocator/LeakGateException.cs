namespace LeakScope.Allocator;

/// <summary>Thrown by <see cref="LeakGateScope.AssertNoLeaks"/>: blocks allocated inside the scope are still live.</summary>
public sealed class LeakGateException : Exception
{
    public LeakGateException(string message, IReadOnlyList<LeakSite> leaks)
        : base(message)
    {
        Leaks = leaks;
        foreach (LeakSite site in leaks)
        {
            LeakedBlocks += site.Blocks;
            LeakedBytes += site.Bytes;
        }
    }

    /// <summary>The live blocks, grouped by site and family, largest first.</summary>
    public IReadOnlyList<LeakSite> Leaks { get; }

    public long LeakedBlocks { get; }

    public long LeakedBytes { get; }
}
