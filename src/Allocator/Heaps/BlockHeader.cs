using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// The 16 bytes in front of every small block. It gives a free everything it must check in-process
/// (family, state) and everything the events need (allocation id, size, site) without any lookup.
/// Freed blocks keep their header — the free-list link lives in the user bytes — so a second free
/// still finds the original id and allocation site.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = SizeClasses.HeaderSize)]
internal struct BlockHeader
{
    public long AllocationId;
    public int SiteId;
    public ushort Size;
    public byte Family;
    public byte State;

    /// <summary>The family and state bytes as the 2-byte word they form at <see cref="Family"/> (the claim's compare-exchange).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FamilyAndState(byte family, byte state) =>
        BitConverter.IsLittleEndian ? (ushort)(family | (state << 8)) : (ushort)((family << 8) | state);

    /// <summary>
    /// Writes site, size, family and <see cref="BlockState.Live"/> after the allocation id: one 8-byte store where the
    /// layout allows (the four fields share the header's second word; a store fewer in front of the next free's claim,
    /// whose locked instruction waits for them to drain), with release order so that a reader seeing Live sees the rest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PublishLive(BlockHeader* header, int siteId, ushort size, byte family)
    {
        if (BitConverter.IsLittleEndian)
        {
            ulong word = (uint)siteId | ((ulong)size << 32) | ((ulong)family << 48) | ((ulong)BlockState.Live << 56);
            Volatile.Write(ref *(ulong*)&header->SiteId, word);
        }
        else
        {
            header->SiteId = siteId;
            header->Size = size;
            header->Family = family;
            Volatile.Write(ref header->State, BlockState.Live);
        }
    }

    /// <summary>
    /// Reads a header another thread may be writing, as the walks do: the id, then the second word (site, size, family,
    /// state) whole — the little-endian layout <see cref="PublishLive"/> writes — then the id again. Seqlock read, as
    /// <see cref="HeapWalker"/>'s but without its full fence: acquire reads are not reordered with later reads, so the
    /// second id read happens after the fields. <paramref name="fields"/> is meaningful only for <see cref="HeaderRead.Live"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe HeaderRead ReadConcurrently(byte* slot, out ulong fields)
    {
        long id = Volatile.Read(ref *(long*)slot);
        fields = Volatile.Read(ref *(ulong*)(slot + sizeof(long)));
        if ((byte)(fields >> 56) != BlockState.Live)
        {
            return HeaderRead.NotLive;
        }

        return id == 0 || Volatile.Read(ref *(long*)slot) != id ? HeaderRead.Changing : HeaderRead.Live;
    }

    /// <summary>The site of a second word read by <see cref="ReadConcurrently"/>.</summary>
    public static int SiteOf(ulong fields) => (int)(uint)fields;

    /// <summary>The size of a second word read by <see cref="ReadConcurrently"/>.</summary>
    public static ushort SizeOf(ulong fields) => (ushort)(fields >> 32);

    /// <summary>The family of a second word read by <see cref="ReadConcurrently"/>.</summary>
    public static AllocationFamily FamilyOf(ulong fields) => (AllocationFamily)(byte)(fields >> 48);
}

/// <summary>What <see cref="BlockHeader.ReadConcurrently"/> found.</summary>
internal enum HeaderRead
{
    /// <summary>Not live: free (on a list or in a thread's cache) or never handed out.</summary>
    NotLive,

    /// <summary>Live, but its id changed (or was 0) around the read: being written; read it again later.</summary>
    Changing,

    /// <summary>Live, and the fields read belong to one allocation.</summary>
    Live,
}

/// <summary>Life-cycle of a small block slot. Never renumber: rundown readers compare these bytes.</summary>
internal static class BlockState
{
    /// <summary>Carved from a pool but never handed out.</summary>
    public const byte Fresh = 0;

    public const byte Live = 0xA1;

    public const byte Freed = 0xF7;
}
