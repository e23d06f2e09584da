namespace LeakScope.Wire;

/// <summary>One payload field of an event: its name (as the manifest shows it) and its layout.</summary>
internal readonly record struct FieldSchema(string Name, WireType Type)
{
    /// <summary>The fixed width in bytes, or 0 for a field whose width is in the payload (strings, binaries).</summary>
    public int Width => Type switch
    {
        WireType.UInt8 => 1,
        WireType.Int32 => 4,
        WireType.Int64 => 8,
        WireType.UnicodeString or WireType.Binary => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(Type), Type, "not a wire type"),
    };
}
