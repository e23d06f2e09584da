using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>The misuse the allocator caught in-process; the values are the wire format of the allocator's <c>MisuseKind</c>.</summary>
public enum MisuseKind : byte
{
    /// <summary>Not a kind this tracer knows.</summary>
    Unknown = WireMisuseKind.Unknown,
    /// <summary>A block freed through another family than the one that allocated it.</summary>
    MismatchedFree = WireMisuseKind.MismatchedFree,
    /// <summary>A block freed twice.</summary>
    DoubleFree = WireMisuseKind.DoubleFree,
    /// <summary>A free of a pointer no LeakScope heap handed out.</summary>
    InvalidFree = WireMisuseKind.InvalidFree,
    /// <summary>A realloc of a block already freed.</summary>
    ReallocOfFreed = WireMisuseKind.ReallocOfFreed,
    /// <summary>A realloc of a pointer no LeakScope heap handed out.</summary>
    InvalidRealloc = WireMisuseKind.InvalidRealloc,
    /// <summary>A view-exporting buffer disposed while views were outstanding.</summary>
    DisposeWithViews = WireMisuseKind.DisposeWithViews,

    /// <summary>Reserved on the wire, never emitted (a refused resize is the <c>ResizeBlocked</c> event); read as a resize with views.</summary>
    ResizeWithViews = WireMisuseKind.ResizeWithViews,
}
