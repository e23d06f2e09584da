namespace LeakScope.Allocator;

/// <summary>
/// What kind of view of a <see cref="NativeBuffer{T}"/> an <see cref="OutstandingView"/> is. Values are stable; the
/// events carry the view's wire kind (<c>view</c>, <c>pin</c> or <c>strided</c>), which read-only and indirect views
/// share with whole-buffer and strided views (docs/owned-memory.md).
/// </summary>
public enum BufferViewKind
{
    /// <summary>Not known.</summary>
    Unknown = 0,

    /// <summary>A whole-buffer view from <see cref="NativeBuffer{T}.AcquireView"/>.</summary>
    View = 1,

    /// <summary>A pin from <c>Memory.Pin()</c> / <see cref="NativeBuffer{T}.Pin"/>.</summary>
    Pin = 2,

    /// <summary>A <see cref="StridedView{T}"/> (or one derived from it).</summary>
    Strided = 3,

    /// <summary>A read-only whole-buffer view from <see cref="NativeBuffer{T}.AcquireReadOnlyView"/>.</summary>
    ReadOnlyView = 4,

    /// <summary>An <see cref="IndirectView{T}"/> that reaches this buffer as one of its sub-blocks.</summary>
    Indirect = 5,
}
