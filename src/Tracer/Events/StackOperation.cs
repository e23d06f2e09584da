using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>The operation a stack sample was taken at (<see cref="WireStackOperation"/>).</summary>
public enum StackOperation : byte
{
    Unknown = WireStackOperation.Unknown,
    Allocate = WireStackOperation.Allocate,
    Reallocate = WireStackOperation.Reallocate,
}
