using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The process-wide, lock-free front of <see cref="SiteRegistry"/>: an open-addressed table of every site seen so far,
/// keyed by (file, line, member). A lookup never locks and never writes, so any number of threads share its cache
/// lines read-only, and no two sites can evict each other (a direct-mapped cache on the line number made two hot
/// sites 256 lines apart take the registry's lock on every allocation). Only a site seen for the first time locks,
/// to intern it and to publish a new table entry.
/// <para>
/// Caller-info strings are literals, so one call site passes the same string instances every time: a hit is a hash
/// of the line and the two strings' lengths, and a line compare and two reference compares per probe — no hashing of
/// characters. The hash uses only values, so a caller passing equal strings as other instances still finds its entry,
/// by value, without locking.
/// </para>
/// </summary>
internal sealed class SiteCache
{
    /// <summary>The one table; <see cref="Heaps.ThreadHeap.Sites"/> hands it out to existing callers.</summary>
    public static readonly SiteCache Shared = new();

    private const int InitialCapacity = 1024;

    private static readonly Lock s_insertLock = new();

    /// <summary>Power-of-two sized, at most half full; replaced wholesale (copy-on-write) when it grows.</summary>
    private static Entry?[] s_table = new Entry?[InitialCapacity];

    private static int s_count;

    private SiteCache()
    {
    }

    /// <summary>The site id of (file, line, member), interning it on first sight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Lookup(string file, int line, string member) => Find(file, line, member);

    /// <inheritdoc cref="Lookup"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Find(string file, int line, string member)
    {
        Entry?[] table = s_table;
        if (file is not null && member is not null)
        {
            int mask = table.Length - 1;
            int i = Hash(file.Length, line, member.Length) & mask;
            Entry? entry = table[i];
            if (entry is not null && entry.Line == line && ReferenceEquals(entry.File, file) && ReferenceEquals(entry.Member, member))
            {
                return entry.Id;
            }
        }

        return FindSlow(table, file ?? string.Empty, line, member ?? string.Empty);
    }

    /// <summary>Probes past the home slot, then by value, and interns only what is not there.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FindSlow(Entry?[] table, string file, int line, string member)
    {
        int id = Probe(table, file, line, member);
        return id != 0 ? id : Insert(file, line, member);
    }

    private static int Probe(Entry?[] table, string file, int line, string member)
    {
        int mask = table.Length - 1;
        for (int i = Hash(file.Length, line, member.Length) & mask; ; i = (i + 1) & mask)
        {
            Entry? entry = table[i];
            if (entry is null)
            {
                return 0;
            }

            if (entry.Line == line
                && (ReferenceEquals(entry.File, file) || string.Equals(entry.File, file, StringComparison.Ordinal))
                && (ReferenceEquals(entry.Member, member) || string.Equals(entry.Member, member, StringComparison.Ordinal)))
            {
                return entry.Id;
            }
        }
    }

    private static int Insert(string file, int line, string member)
    {
        // Interned outside the insert lock: the registry publishes SiteDefined, which must not run under our lock.
        int id = SiteRegistry.Intern(file, line, member);
        lock (s_insertLock)
        {
            Entry?[] table = s_table;
            if (Probe(table, file, line, member) != 0)
            {
                return id;
            }

            if ((s_count + 1) * 2 > table.Length)
            {
                table = Grow(table);
            }

            int mask = table.Length - 1;
            int i = Hash(file.Length, line, member.Length) & mask;
            while (table[i] is not null)
            {
                i = (i + 1) & mask;
            }

            // Readers see either null (and come here, to find it under the lock) or the complete entry.
            Volatile.Write(ref table[i], new Entry(file, member, line, id));
            s_count++;
            Volatile.Write(ref s_table, table);
        }

        return id;
    }

    private static Entry?[] Grow(Entry?[] old)
    {
        var table = new Entry?[old.Length * 2];
        int mask = table.Length - 1;
        foreach (Entry? entry in old)
        {
            if (entry is null)
            {
                continue;
            }

            int i = Hash(entry.File.Length, entry.Line, entry.Member.Length) & mask;
            while (table[i] is not null)
            {
                i = (i + 1) & mask;
            }

            table[i] = entry;
        }

        return table;
    }

    /// <summary>Mixes the line with the strings' lengths (values, so equal strings hash alike); the high bits index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(int fileLength, int line, int memberLength)
    {
        uint h = ((uint)line * 0x9E3779B1u) + ((uint)fileLength * 0x85EBCA77u) + ((uint)memberLength * 0xC2B2AE3Du);
        return (int)(h ^ (h >> 15));
    }

    private sealed class Entry(string file, string member, int line, int id)
    {
        public readonly string File = file;
        public readonly string Member = member;
        public readonly int Line = line;
        public readonly int Id = id;
    }
}
