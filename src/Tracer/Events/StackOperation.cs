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

    /// <summary>A view acquired: the sample's id is the view's (<see cref="ViewId"/>'s value).</summary>
    AcquireView = WireStackOperation.AcquireView,

    /// <summary>An owner created: the sample's id is the owner's (<see cref="OwnerId"/>'s value).</summary>
    CreateOwner = WireStackOperation.CreateOwner,

    /// <summary>A resize refused because views were outstanding: the sample's id is the owner's, its site the resize call.</summary>
    RefuseResize = WireStackOperation.RefuseResize,
}
