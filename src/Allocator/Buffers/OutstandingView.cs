namespace LeakScope.Allocator;

/// <summary>
/// A view that was outstanding when a <see cref="NativeBuffer{T}"/> refused to resize: its id (the one its events
/// carry), what kind of view it is (<c>view</c>, <c>pin</c> or <c>strided view</c>) and the site that acquired it.
/// </summary>
public readonly record struct OutstandingView(long ViewId, string Kind, string File, int Line, string Member)
{
    /// <summary>For example <c>view #12 acquired at Program.cs:40 (Main)</c>, or <c>pin #13 acquired through Memory.Pin()</c> for a site without a line.</summary>
    public override string ToString() => Line == 0
        ? $"{Kind} #{ViewId} acquired through {File}()"
        : $"{Kind} #{ViewId} acquired at {Path.GetFileName(File)}:{Line} ({Member})";
}
