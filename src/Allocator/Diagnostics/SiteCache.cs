using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    private static Entry[] s_table = new Entry[InitialCapacity];

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
        Entry[] table = s_table;
        if (file is not null && member is not null)
        {
            // Entries sit inline in the array: a hit is the table, then its home entry (no entry object to load in
            // between, no bounds check: the mask keeps the index inside), three compares and the id; for a call site
            // the hash is a constant. The id is written last when an entry is published: 0 reads as a miss.
            ref Entry entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table), Hash(file.Length, line, member.Length) & (table.Length - 1));
            if (entry.Line == line && ReferenceEquals(entry.File, file) && ReferenceEquals(entry.Member, member))
            {
                int id = Volatile.Read(ref entry.Id);
                if (id != 0)
                {
                    return id;
                }
            }
        }

        return FindSlow(table, file ?? string.Empty, line, member ?? string.Empty);
    }

    /// <summary>Probes past the home slot, then by value, and interns only what is not there.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FindSlow(Entry[] table, string file, int line, string member)
    {
        int id = Probe(table, file, line, member);
        return id != 0 ? id : Insert(file, line, member);
    }

    private static int Probe(Entry[] table, string file, int line, string member)
    {
        int mask = table.Length - 1;
        for (int i = Hash(file.Length, line, member.Length) & mask; ; i = (i + 1) & mask)
        {
            ref Entry entry = ref table[i];
            int id = Volatile.Read(ref entry.Id);
            if (id == 0)
            {
                // Empty, or being published by an insert (which holds the lock and probes again under it).
                return 0;
            }

            if (entry.Line == line
                && (ReferenceEquals(entry.File, file) || string.Equals(entry.File, file, StringComparison.Ordinal))
                && (ReferenceEquals(entry.Member, member) || string.Equals(entry.Member, member, StringComparison.Ordinal)))
            {
                return id;
            }
        }
    }

    private static int Insert(string file, int line, string member)
    {
        // Interned outside the insert lock: the registry publishes SiteDefined, which must not run under our lock.
        int id = SiteRegistry.Intern(file, line, member);
        lock (s_insertLock)
        {
            Entry[] table = s_table;
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
            while (table[i].Id != 0)
            {
                i = (i + 1) & mask;
            }

            // Readers take an entry only once its id is non-zero, and the id is written last (release): they see
            // either an empty entry (and come here, to find it under the lock) or the complete one. Entries are
            // never changed or removed once published; a grown table is complete before it is published.
            ref Entry slot = ref table[i];
            slot.File = file;
            slot.Member = member;
            slot.Line = line;
            Volatile.Write(ref slot.Id, id);
            s_count++;
            Volatile.Write(ref s_table, table);
        }

        return id;
    }

    private static Entry[] Grow(Entry[] old)
    {
        var table = new Entry[old.Length * 2];
        int mask = table.Length - 1;
        foreach (Entry entry in old)
        {
            if (entry.Id == 0)
            {
                continue;
            }

            int i = Hash(entry.File.Length, entry.Line, entry.Member.Length) & mask;
            while (table[i].Id != 0)
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

    /// <summary>One site, inline in the table; <see cref="Id"/> 0 means empty (site ids start at 1).</summary>
    private struct Entry
    {
        public string File;
        public string Member;
        public int Line;
        public int Id;
    }
}
