using LeakScope.Wire;

namespace LeakScope.Allocator;

/// <summary>
/// Which allocator family handed out a block. A block must be freed by the family that allocated it
/// (Cython's rule: <c>malloc</c>/<c>free</c>, <c>PyMem_Malloc</c>/<c>PyMem_Free</c>).
/// The numeric values travel in events and are part of the wire format: they are defined by <see cref="WireFamily"/>.
/// </summary>
public enum AllocationFamily : byte
{
    /// <summary>No family: a pointer no LeakScope heap handed out (an invalid free is charged here).</summary>
    Unknown = WireFamily.Unknown,

    /// <summary>The C family: <see cref="RawHeap"/>.</summary>
    Raw = WireFamily.Raw,

    /// <summary>The PyMem-style pooled family: <see cref="PoolHeap"/>.</summary>
    Pool = WireFamily.Pool,

    /// <summary><c>NativeMemory.Alloc</c> / <c>AllocZeroed</c> / <c>Realloc</c> / <c>Free</c>: see <see cref="TrackedNativeMemory"/>.</summary>
    Native = WireFamily.Native,

    /// <summary><c>NativeMemory.AlignedAlloc</c> / <c>AlignedRealloc</c> / <c>AlignedFree</c>: see <see cref="TrackedNativeMemory"/>.</summary>
    Aligned = WireFamily.Aligned,

    /// <summary><c>Marshal.AllocHGlobal</c> / <c>ReAllocHGlobal</c> / <c>FreeHGlobal</c>: see <see cref="TrackedMarshal"/>.</summary>
    HGlobal = WireFamily.HGlobal,

    /// <summary><c>Marshal.AllocCoTaskMem</c> / <c>ReAllocCoTaskMem</c> / <c>FreeCoTaskMem</c>: see <see cref="TrackedMarshal"/>.</summary>
    CoTaskMem = WireFamily.CoTaskMem,
}
