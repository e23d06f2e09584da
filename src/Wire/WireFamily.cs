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

    /// <summary>Reserved for a later issue (<c>NativeMemory.Alloc</c>): not emitted, not decoded as a family yet.</summary>
    public const byte ReservedNative = 3;

    /// <summary>Reserved for a later issue (<c>NativeMemory.AlignedAlloc</c>).</summary>
    public const byte ReservedAligned = 4;

    /// <summary>Reserved for a later issue (<c>Marshal.AllocHGlobal</c>).</summary>
    public const byte ReservedHGlobal = 5;

    /// <summary>Reserved for a later issue (<c>Marshal.AllocCoTaskMem</c>).</summary>
    public const byte ReservedCoTaskMem = 6;
}
