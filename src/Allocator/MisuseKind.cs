using LeakScope.Wire;

namespace LeakScope.Allocator;

/// <summary>The kinds of misuse the allocator detects in-process. Values cross the wire: they are defined by <see cref="WireMisuseKind"/>.</summary>
public enum MisuseKind : byte
{
    /// <summary>Not a kind this allocator reports; a reader of a newer trace may see it for a kind it does not know.</summary>
    Unknown = WireMisuseKind.Unknown,

    /// <summary>A block freed (or reallocated) through another family than the one that allocated it.</summary>
    MismatchedFree = WireMisuseKind.MismatchedFree,

    /// <summary>A block freed a second time.</summary>
    DoubleFree = WireMisuseKind.DoubleFree,

    /// <summary>A pointer freed that no LeakScope heap handed out (or an interior pointer).</summary>
    InvalidFree = WireMisuseKind.InvalidFree,

    /// <summary><c>Realloc</c> called on a block that was already freed.</summary>
    ReallocOfFreed = WireMisuseKind.ReallocOfFreed,

    /// <summary><c>Realloc</c> called on a pointer that no LeakScope heap handed out.</summary>
    InvalidRealloc = WireMisuseKind.InvalidRealloc,

    /// <summary>A view-exporting buffer disposed while views are still outstanding.</summary>
    DisposeWithViews = WireMisuseKind.DisposeWithViews,

    /// <summary>
    /// Reserved: never reported by this allocator. A resize or append attempted on a buffer while views are outstanding
    /// is refused with <see cref="BufferBusyException"/> and published as <c>ResizeBlocked</c>, not as a misuse.
    /// </summary>
    ResizeWithViews = WireMisuseKind.ResizeWithViews,
}
