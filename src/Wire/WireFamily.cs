namespace LeakScope.Wire;

/// <summary>
/// Allocator families as they cross the wire (one byte). The allocator's public <c>AllocationFamily</c> and the
/// tracer's public <c>HeapFamily</c> take their values from here. Never renumber; 0 = unknown.
/// </summary>
internal static class WireFamily
{
    public const byte Unknown = 0;

    /// <summary>The C family (<c>RawHeap</c>).</summary>
    public const byte Raw = 1;

    /// <summary>The PyMem-style pooled family (<c>PoolHeap</c>).</summary>
    public const byte Pool = 2;

    /// <summary><c>NativeMemory.Alloc</c> / <c>AllocZeroed</c> / <c>Realloc</c> / <c>Free</c>, tracked beside the real system block.</summary>
    public const byte Native = 3;

    /// <summary><c>NativeMemory.AlignedAlloc</c> / <c>AlignedRealloc</c> / <c>AlignedFree</c>.</summary>
    public const byte Aligned = 4;

    /// <summary><c>Marshal.AllocHGlobal</c> / <c>ReAllocHGlobal</c> / <c>FreeHGlobal</c>.</summary>
    public const byte HGlobal = 5;

    /// <summary><c>Marshal.AllocCoTaskMem</c> / <c>ReAllocCoTaskMem</c> / <c>FreeCoTaskMem</c>.</summary>
    public const byte CoTaskMem = 6;

    /// <summary>One past the highest family value: per-family tables are this long.</summary>
    public const int Count = 7;
}
