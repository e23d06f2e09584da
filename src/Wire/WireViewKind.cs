namespace LeakScope.Wire;

/// <summary>How a view was acquired, as it crosses the wire (the <c>ViewKind</c> byte of events 20, 21, 24). Never renumber; 0 = unknown.</summary>
internal static class WireViewKind
{
    public const byte Unknown = 0;

    /// <summary><c>NativeBuffer.AcquireView()</c>.</summary>
    public const byte View = 1;

    /// <summary><c>Memory.Pin()</c> on a buffer's memory.</summary>
    public const byte Pin = 2;

    /// <summary>A strided (multi-dimensional) view over a buffer.</summary>
    public const byte Strided = 3;
}
