using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// A per-thread, direct-mapped cache in front of <see cref="SiteRegistry"/>. Caller-info strings are
/// literals, so the same call site passes the same string instances every time: a hit is a line
/// compare and two reference compares, with no hashing of strings on the hot path.
/// </summary>
internal sealed class SiteCache
{
    private const int Size = 256;

    private Entries _entries;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Lookup(string file, int line, string member)
    {
        ref Entry entry = ref Unsafe.Add(ref Unsafe.As<Entries, Entry>(ref _entries), line & (Size - 1));
        if (entry.Line == line && ReferenceEquals(entry.File, file) && ReferenceEquals(entry.Member, member) && entry.Id != 0)
        {
            return entry.Id;
        }

        return Miss(ref entry, file, line, member);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Miss(ref Entry entry, string file, int line, string member)
    {
        int id = SiteRegistry.Intern(file, line, member);
        entry = new Entry(file, member, line, id);
        return id;
    }

    private readonly record struct Entry(string? File, string? Member, int Line, int Id);

    /// <summary>The entries, inline in the cache object: one load fewer on every allocation.</summary>
    [InlineArray(Size)]
    private struct Entries
    {
        private Entry _first;
    }
}
