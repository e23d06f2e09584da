using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>The allocator family of a block; the values are the wire format of <c>AllocationFamily</c>.</summary>
public enum HeapFamily : byte
{
    Unknown = WireFamily.Unknown,
    Raw = WireFamily.Raw,
    Pool = WireFamily.Pool,
    Native = WireFamily.Native,
    Aligned = WireFamily.Aligned,
    HGlobal = WireFamily.HGlobal,
    CoTaskMem = WireFamily.CoTaskMem,
}
