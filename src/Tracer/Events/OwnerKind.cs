namespace LeakScope.Tracer.Events;

/// <summary>What kind of owner an owner event concerns (wire format).</summary>
public enum OwnerKind : byte
{
    Unknown = 0,
    NativeArray = 1,
    NativeBuffer = 2,
}
