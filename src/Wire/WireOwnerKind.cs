namespace LeakScope.Wire;

/// <summary>What kind of owner an owner event concerns, as it crosses the wire (events 25–27). Never renumber; 0 = unknown.</summary>
internal static class WireOwnerKind
{
    public const byte Unknown = 0;
    public const byte NativeArray = 1;
    public const byte NativeBuffer = 2;
}
