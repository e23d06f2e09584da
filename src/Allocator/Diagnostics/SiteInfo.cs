namespace LeakScope.Allocator.Diagnostics;

/// <summary>A source location named by the caller-info parameters: what findings point at.</summary>
internal readonly record struct SiteInfo(string File, int Line, string Member);
