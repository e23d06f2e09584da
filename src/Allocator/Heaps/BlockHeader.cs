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
}

/// <summary>Life-cycle of a small block slot. Never renumber: rundown readers compare these bytes.</summary>
internal static class BlockState
{
    /// <summary>Carved from a pool but never handed out.</summary>
    public const byte Fresh = 0;

    public const byte Live = 0xA1;

    public const byte Freed = 0xF7;
}
