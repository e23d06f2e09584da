using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>The misuse the allocator caught in-process; the values are the wire format of the allocator's <c>MisuseKind</c>.</summary>
public enum MisuseKind : byte
{
    Unknown = WireMisuseKind.Unknown,
    MismatchedFree = WireMisuseKind.MismatchedFree,
    DoubleFree = WireMisuseKind.DoubleFree,
    InvalidFree = WireMisuseKind.InvalidFree,
    ReallocOfFreed = WireMisuseKind.ReallocOfFreed,
    InvalidRealloc = WireMisuseKind.InvalidRealloc,
    DisposeWithViews = WireMisuseKind.DisposeWithViews,

    /// <summary>Reserved on the wire, never emitted (a refused resize is the <c>ResizeBlocked</c> event); read as a resize with views.</summary>
    ResizeWithViews = WireMisuseKind.ResizeWithViews,
}
