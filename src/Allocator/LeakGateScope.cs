using System.Collections.Concurrent;
using System.Text;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator;

/// <summary>
/// A scope begun by <see cref="LeakGate.Begin"/>: it tracks the blocks allocated on its async flow (see
/// <see cref="LeakGate"/> for the rules) until it is disposed. Thread-safe.
/// </summary>
public sealed class LeakGateScope : IDisposable
{
    private readonly ConcurrentDictionary<long, LiveBlock> _live = new();
    private readonly SiteInfo _begunAt;
    private int _closed;

    internal LeakGateScope(LeakGateScope? parent, SiteInfo begunAt)
    {
        Parent = parent;
        _begunAt = begunAt;
    }

    /// <summary>Blocks allocated inside the scope and not freed yet.</summary>
    public long LiveBlocks => _live.Count;

    /// <summary>Bytes in <see cref="LiveBlocks"/>.</summary>
    public long LiveBytes => _live.Values.Sum(b => (long)b.Size);

    /// <summary>True until the scope is disposed.</summary>
    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    internal LeakGateScope? Parent { get; }

    /// <summary>The blocks allocated inside the scope and still live, grouped by site and family, largest first.</summary>
    public IReadOnlyList<LeakSite> GetLeaks()
    {
        var sites = new Dictionary<(int SiteId, AllocationFamily Family), (long Blocks, long Bytes)>();
        foreach (LiveBlock block in _live.Values)
        {
            var key = (block.SiteId, block.Family);
            sites.TryGetValue(key, out (long Blocks, long Bytes) sum);
            sites[key] = (sum.Blocks + 1, sum.Bytes + (long)block.Size);
        }

        var leaks = new List<LeakSite>(sites.Count);
        foreach (KeyValuePair<(int SiteId, AllocationFamily Family), (long Blocks, long Bytes)> entry in sites)
        {
            SiteInfo site = SiteRegistry.Get(entry.Key.SiteId);
            leaks.Add(new LeakSite(site.File, site.Line, site.Member, entry.Key.Family, entry.Value.Blocks, entry.Value.Bytes));
        }

        leaks.Sort((a, b) => b.Bytes != a.Bytes ? b.Bytes.CompareTo(a.Bytes)
            : a.File != b.File ? string.CompareOrdinal(a.File, b.File)
            : a.Line.CompareTo(b.Line));
        return leaks;
    }

    /// <summary>
    /// Throws <see cref="LeakGateException"/> naming every site (<c>file:line (member)</c>) whose blocks, allocated inside
    /// the scope, are still live, with their bytes. Does not end the scope.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The scope has been disposed (it no longer sees frees).</exception>
    public void AssertNoLeaks()
    {
        ObjectDisposedException.ThrowIf(!IsOpen, this);
        IReadOnlyList<LeakSite> leaks = GetLeaks();
        if (leaks.Count == 0)
        {
            return;
        }

        long blocks = leaks.Sum(l => l.Blocks);
        long bytes = leaks.Sum(l => l.Bytes);
        var message = new StringBuilder()
            .Append("LeakGate: ").Append(blocks).Append(blocks == 1 ? " block" : " blocks").Append(" (").Append(bytes)
            .Append(" B) allocated inside the scope begun at ").Append(Path.GetFileName(_begunAt.File)).Append(':').Append(_begunAt.Line)
            .Append(" (").Append(_begunAt.Member).Append(") ").Append(blocks == 1 ? "is" : "are").Append(" still live:");
        foreach (LeakSite leak in leaks)
        {
            message.AppendLine().Append("  ").Append(leak);
        }

        throw new LeakGateException(message.ToString(), leaks);
    }

    /// <summary>Ends the scope: it stops tracking and its parent becomes current again on this flow.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            LeakGateObserver.Close(this);
        }
    }

    /// <summary>For example <c>LeakGate scope begun at MyTests.cs:12: 0 live blocks</c>.</summary>
    public override string ToString() => $"LeakGate scope begun at {Path.GetFileName(_begunAt.File)}:{_begunAt.Line}: {LiveBlocks} live blocks";

    internal void Track(in LiveBlock block) => _live[block.AllocationId] = block;

    internal bool Untrack(long allocationId) => _live.TryRemove(allocationId, out _);
}
