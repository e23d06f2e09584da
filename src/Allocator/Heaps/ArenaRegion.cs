using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// One reserved range of address space (16 GiB, no memory behind it until an arena is made accessible) out of which
/// arenas are cut in order, so that the arena of a pointer inside it is found by a subtraction, a compare and one
/// array load (<see cref="ArenaMap.Find"/>) instead of a hash probe — the free path's first step on every call (the
/// probe and its compare took about an eighth of a mixed-size alloc/free loop's samples). Where the reservation is not
/// available (not Linux, a refused <c>mmap</c>) or once it is used up, arenas come from the system allocator and are
/// found through the hashed map as before.
/// </summary>
internal static partial class ArenaRegion
{
    /// <summary>Arenas the region holds: 16 GiB of address space, an 128 KB table.</summary>
    public const int Capacity = 16384;

    private const int ProtNone = 0;
    private const int ProtReadWrite = 1 | 2;
    private const int MapPrivateAnonymousNoReserve = 0x02 | 0x20 | 0x4000;

    /// <summary>The first arena's address (1 MiB aligned), or 0 when there is no region.</summary>
    public static readonly nint Base = Reserve();

    /// <summary>Bytes of the region (0 when there is none): a pointer is inside when <c>(nuint)(p - Base) &lt; Length</c>.</summary>
    public static readonly nuint Length = Base == 0 ? 0 : (nuint)Capacity << Arena.SizeShift;

    /// <summary>The arena at each 1 MiB step of the region; null for steps not yet handed out.</summary>
    public static readonly Arena?[] Arenas = new Arena?[Base == 0 ? 0 : Capacity];

    private static int s_used;

    /// <summary>Makes the next arena of the region accessible; 0 when the region is absent or full. Called under the arena set's lock.</summary>
    public static nint TakeNext()
    {
        if (Base == 0 || s_used == Capacity)
        {
            return 0;
        }

        nint arena = Base + ((nint)s_used << Arena.SizeShift);
        if (mprotect(arena, Arena.Size, ProtReadWrite) != 0)
        {
            return 0;
        }

        s_used++;
        return arena;
    }

    /// <summary>Publishes an arena cut from the region, once it is complete, for <see cref="ArenaMap.Find"/>.</summary>
    public static void Publish(Arena arena) =>
        Volatile.Write(ref Arenas[(int)((nuint)(arena.Base - Base) >> Arena.SizeShift)], arena);

    private static nint Reserve()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            return 0;
        }

        // One extra arena's worth so that the start can be aligned to 1 MiB; the unaligned head stays reserved, unused.
        nuint length = ((nuint)Capacity + 1) << Arena.SizeShift;
        nint start = mmap(0, length, ProtNone, MapPrivateAnonymousNoReserve, -1, 0);
        if (start == -1 || start == 0)
        {
            return 0;
        }

        return (start + (Arena.Size - 1)) & ~(nint)(Arena.Size - 1);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int mprotect(nint address, nuint length, int protection);
}
