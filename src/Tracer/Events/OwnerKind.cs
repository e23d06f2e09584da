using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>What kind of owner an owner event concerns (wire format).</summary>
public enum OwnerKind : byte
{
    Unknown = WireOwnerKind.Unknown,
    NativeArray = WireOwnerKind.NativeArray,
    NativeBuffer = WireOwnerKind.NativeBuffer,
}
