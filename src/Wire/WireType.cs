namespace LeakScope.Wire;

/// <summary>How one event field is laid out in the payload (little-endian, in declaration order).</summary>
internal enum WireType : byte
{
    /// <summary>One byte (manifest <c>win:UInt8</c>): families, kinds.</summary>
    UInt8 = 1,

    /// <summary>Four bytes (manifest <c>win:Int32</c>): site ids, lines, counts that fit, flags.</summary>
    Int32 = 2,

    /// <summary>Eight bytes (manifest <c>win:Int64</c>): ids, addresses, sizes, counters.</summary>
    Int64 = 3,

    /// <summary>UTF-16 code units ending with a NUL (manifest <c>win:UnicodeString</c>). Site strings are escaped first: <see cref="SiteString"/>.</summary>
    UnicodeString = 4,

    /// <summary>A 32-bit length, then that many bytes (manifest <c>win:UInt32</c> <c>NameSize</c> then <c>win:Binary</c>).</summary>
    Binary = 5,
}
