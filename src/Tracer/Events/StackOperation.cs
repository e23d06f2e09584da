using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>The operation a stack sample was taken at (<see cref="WireStackOperation"/>).</summary>
public enum StackOperation : byte
{
    /// <summary>Not a known operation (a newer writer).</summary>
    Unknown = WireStackOperation.Unknown,

    /// <summary>An allocation (malloc, calloc, an owner's storage).</summary>
    Allocate = WireStackOperation.Allocate,

    /// <summary>A realloc that gave the block a new id.</summary>
    Reallocate = WireStackOperation.Reallocate,
}
