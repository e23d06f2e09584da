using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator;

/// <summary>One outstanding view of a <see cref="NativeBuffer{T}"/>: its id, the site that acquired it, and how.</summary>
internal readonly record struct ViewRecord(long ViewId, int SiteId, BufferViewKind Kind)
{
    /// <summary>The kind the view's events carry: read-only views travel as whole-buffer views, indirect ones as strided views.</summary>
    public static ViewKind WireKind(BufferViewKind kind) => kind switch
    {
        BufferViewKind.View or BufferViewKind.ReadOnlyView => ViewKind.View,
        BufferViewKind.Pin => ViewKind.Pin,
        BufferViewKind.Strided or BufferViewKind.Indirect => ViewKind.Strided,
        BufferViewKind.Unknown => ViewKind.Unknown,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a view kind."),
    };
}
