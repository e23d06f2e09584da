using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator;

/// <summary>One outstanding view of a <see cref="NativeBuffer{T}"/>: its id, the site that acquired it, and how.</summary>
internal readonly record struct ViewRecord(long ViewId, int SiteId, ViewKind Kind);
