namespace LeakScope.Allocator;

/// <summary>
/// A view that was outstanding when a <see cref="NativeBuffer{T}"/> refused to resize: its id (the one its events
/// carry), what kind of view it is and the site that acquired it.
/// </summary>
public readonly record struct OutstandingView(long ViewId, BufferViewKind Kind, string File, int Line, string Member)
{
    /// <summary>
    /// For example <c>view #12 acquired at Program.cs:40 (Main)</c>, or <c>pin #13 acquired through Memory.Pin()</c> for
    /// a site without a line. The kind reads <c>view</c>, <c>pin</c>, <c>strided view</c>, <c>read-only view</c> or
    /// <c>indirect view</c>.
    /// </summary>
    public override string ToString() => Line == 0
        ? $"{Describe(Kind)} #{ViewId} acquired through {File}()"
        : $"{Describe(Kind)} #{ViewId} acquired at {Path.GetFileName(File)}:{Line} ({Member})";

    /// <summary>How a message names a kind of view.</summary>
    public static string Describe(BufferViewKind kind) => kind switch
    {
        BufferViewKind.View => "view",
        BufferViewKind.Pin => "pin",
        BufferViewKind.Strided => "strided view",
        BufferViewKind.ReadOnlyView => "read-only view",
        BufferViewKind.Indirect => "indirect view",
        BufferViewKind.Unknown => "view",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a view kind."),
    };
}
