using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>How a view was acquired (wire format).</summary>
public enum ViewKind : byte
{
    /// <summary>Not a kind this tracer knows.</summary>
    Unknown = WireViewKind.Unknown,
    /// <summary>A <c>BufferView&lt;T&gt;</c> from <c>AcquireView()</c>.</summary>
    View = WireViewKind.View,
    /// <summary>A <c>Memory.Pin()</c> handle.</summary>
    Pin = WireViewKind.Pin,
    /// <summary>A strided view.</summary>
    Strided = WireViewKind.Strided,
}
