namespace LeakScope.Wire;

/// <summary>
/// Misuse kinds as they cross the wire (the <c>Kind</c> byte of <c>Misuse</c>, event 5). The allocator's and the
/// tracer's public <c>MisuseKind</c> take their values from here. Never renumber; 0 = unknown.
/// </summary>
internal static class WireMisuseKind
{
    public const byte Unknown = 0;
    public const byte MismatchedFree = 1;
    public const byte DoubleFree = 2;
    public const byte InvalidFree = 3;
    public const byte ReallocOfFreed = 4;
    public const byte InvalidRealloc = 5;

    /// <summary>A view-exporting buffer disposed while views were outstanding (its allocation id is the owner id).</summary>
    public const byte DisposeWithViews = 6;

    /// <summary>
    /// Reserved, never emitted: a resize refused because views are outstanding is not a <c>Misuse</c> event but
    /// <c>ResizeBlocked</c> (22) followed by one <c>ResizeBlockedView</c> (23) per view, which carry what the finding
    /// needs (the requested length, every view and its site). The value stays because the public enums name it; a reader
    /// that meets it treats it as a resize with views.
    /// </summary>
    public const byte ResizeWithViews = 7;
}
