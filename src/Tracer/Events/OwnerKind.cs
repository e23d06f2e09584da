using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>What kind of owner an owner event concerns (wire format).</summary>
public enum OwnerKind : byte
{
    /// <summary>Not a kind this tracer knows.</summary>
    Unknown = WireOwnerKind.Unknown,
    /// <summary>A <c>NativeArray&lt;T&gt;</c>.</summary>
    NativeArray = WireOwnerKind.NativeArray,
    /// <summary>A <c>NativeBuffer&lt;T&gt;</c>.</summary>
    NativeBuffer = WireOwnerKind.NativeBuffer,
}
