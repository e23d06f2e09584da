using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Finds the arena that contains a pointer without locks: by its offset in the reserved region
/// (<see cref="ArenaRegion"/>) for arenas cut from it, otherwise in an open-addressed table keyed by the arena's
/// base address, replaced wholesale (copy-on-write) when an arena is added, which is rare.
/// </summary>
internal static class ArenaMap
{
    private static readonly Lock s_lock = new();
    private static Arena?[] s_table = new Arena?[16];
    private static readonly List<Arena> s_arenas = new();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Arena? Find(nint pointer)
    {
        nuint offset = (nuint)(pointer - ArenaRegion.Base);
        if (offset < ArenaRegion.Length)
        {
            // Unchecked: the compare above keeps the index below the table's length (Capacity).
            return Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ArenaRegion.Arenas), (nint)(offset >> Arena.SizeShift));
        }

        return FindHashed(pointer);
    }

    /// <summary>Arenas outside the reserved region (and a region arena too: every arena is in the table).</summary>
    private static Arena? FindHashed(nint pointer)
    {
        Arena?[] table = s_table;
        nint arenaBase = pointer & ~(nint)(Arena.Size - 1);
        int mask = table.Length - 1;
        int i = Hash(arenaBase) & mask;
        while (true)
        {
            Arena? arena = table[i];
            if (arena is null || arena.Base == arenaBase)
            {
                return arena;
            }

            i = (i + 1) & mask;
        }
    }

    public static void Add(Arena arena)
    {
        lock (s_lock)
        {
            s_arenas.Add(arena);
            int capacity = s_table.Length;
            while (capacity < s_arenas.Count * 4)
            {
                capacity *= 2;
            }

            var table = new Arena?[capacity];
            foreach (Arena a in s_arenas)
            {
                int i = Hash(a.Base) & (capacity - 1);
                while (table[i] is not null)
                {
                    i = (i + 1) & (capacity - 1);
                }

                table[i] = a;
            }

            Volatile.Write(ref s_table, table);
        }
    }

    /// <summary>Every arena so far (a copy; arenas are never removed).</summary>
    public static Arena[] All()
    {
        lock (s_lock)
        {
            return s_arenas.ToArray();
        }
    }

    private static int Hash(nint arenaBase) => (int)(((ulong)arenaBase >> Arena.SizeShift) * 0x9E3779B97F4A7C15UL >> 40);
}
