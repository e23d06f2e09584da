namespace LeakScope.Allocator;

/// <summary>Thrown by <see cref="LeakGateScope.AssertNoLeaks"/>: blocks allocated inside the scope are still live.</summary>
public sealed class LeakGateException : Exception
{
    internal LeakGateException(string message, IReadOnlyList<LeakSite> leaks)
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

    /// <summary>The live blocks over every site in <see cref="Leaks"/>.</summary>
    public long LeakedBlocks { get; }

    /// <summary>The live bytes over every site in <see cref="Leaks"/>.</summary>
    public long LeakedBytes { get; }
}
