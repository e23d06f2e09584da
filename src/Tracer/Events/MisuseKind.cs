namespace LeakScope.Tracer.Events;

/// <summary>The misuse the allocator caught in-process; the values are the wire format of the allocator's <c>MisuseKind</c>.</summary>
public enum MisuseKind : byte
{
    Unknown = 0,
    MismatchedFree = 1,
    DoubleFree = 2,
    InvalidFree = 3,
    ReallocOfFreed = 4,
    InvalidRealloc = 5,
    DisposeWithViews = 6,
    ResizeWithViews = 7,
}
