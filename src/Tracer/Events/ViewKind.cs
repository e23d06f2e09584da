using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>How a view was acquired (wire format).</summary>
public enum ViewKind : byte
{
    Unknown = WireViewKind.Unknown,
    View = WireViewKind.View,
    Pin = WireViewKind.Pin,
    Strided = WireViewKind.Strided,
}
