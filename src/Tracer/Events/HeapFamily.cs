using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>The allocator family of a block; the values are the wire format of <c>AllocationFamily</c>.</summary>
public enum HeapFamily : byte
{
    /// <summary>Not known: a pointer no LeakScope heap handed out, or a value this tracer does not know.</summary>
    Unknown = WireFamily.Unknown,
    /// <summary>The C family (<c>RawHeap</c>).</summary>
    Raw = WireFamily.Raw,
    /// <summary>The pooled family (<c>PoolHeap</c>, CPython's <c>PyMem</c>).</summary>
    Pool = WireFamily.Pool,

    /// <summary><c>NativeMemory.Alloc</c> / <c>AllocZeroed</c> / <c>Realloc</c> / <c>Free</c>, tracked beside the system block (JSON <c>native</c>).</summary>
    Native = WireFamily.Native,

    /// <summary><c>NativeMemory.AlignedAlloc</c> / <c>AlignedRealloc</c> / <c>AlignedFree</c> (JSON <c>aligned</c>).</summary>
    Aligned = WireFamily.Aligned,

    /// <summary><c>Marshal.AllocHGlobal</c> / <c>ReAllocHGlobal</c> / <c>FreeHGlobal</c> (JSON <c>hglobal</c>).</summary>
    HGlobal = WireFamily.HGlobal,

    /// <summary><c>Marshal.AllocCoTaskMem</c> / <c>ReAllocCoTaskMem</c> / <c>FreeCoTaskMem</c> (JSON <c>cotaskmem</c>).</summary>
    CoTaskMem = WireFamily.CoTaskMem,
}
