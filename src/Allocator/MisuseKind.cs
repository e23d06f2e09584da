namespace LeakScope.Allocator;

/// <summary>The kinds of misuse the allocator detects in-process. Values cross the wire: never renumber.</summary>
public enum MisuseKind : byte
{
    Unknown = 0,

    /// <summary>A block freed (or reallocated) through another family than the one that allocated it.</summary>
    MismatchedFree = 1,

    /// <summary>A block freed a second time.</summary>
    DoubleFree = 2,

    /// <summary>A pointer freed that no LeakScope heap handed out (or an interior pointer).</summary>
    InvalidFree = 3,

    /// <summary><c>Realloc</c> called on a block that was already freed.</summary>
    ReallocOfFreed = 4,

    /// <summary><c>Realloc</c> called on a pointer that no LeakScope heap handed out.</summary>
    InvalidRealloc = 5,

    /// <summary>A view-exporting buffer disposed while views are still outstanding.</summary>
    DisposeWithViews = 6,

    /// <summary>A resize or append attempted on a buffer while views are outstanding.</summary>
    ResizeWithViews = 7,
}
