namespace LeakScope.Tracer.Events;

/// <summary>How a view was acquired (wire format).</summary>
public enum ViewKind : byte
{
    Unknown = 0,
    View = 1,
    Pin = 2,
    Strided = 3,
}
