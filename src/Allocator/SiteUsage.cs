namespace LeakScope.Allocator;

/// <summary>
/// What one site holds live in one family at the moment <see cref="HeapStats.CaptureSites"/> walked the heap: the
/// site is the call that allocated (its caller-info file, line and member), the counts are its live blocks and the
/// bytes they were asked for.
/// </summary>
/// <param name="File">The caller's source file, as the compiler passed it (a full path).</param>
/// <param name="Line">The caller's line.</param>
/// <param name="Member">The calling member.</param>
/// <param name="Family">The family the blocks came from.</param>
/// <param name="LiveBlocks">Blocks of this site and family still live.</param>
/// <param name="LiveBytes">Bytes in those blocks (requested sizes).</param>
public readonly record struct SiteUsage(string File, int Line, string Member, AllocationFamily Family, long LiveBlocks, long LiveBytes)
{
    /// <summary>The site as metrics and reports name it: the file's name (no folders), a colon and the line, for example <c>Cache.cs:42</c>.</summary>
    public string Location => $"{System.IO.Path.GetFileName(File)}:{Line}";

    /// <summary>For example <c>Cache.cs:42 (Add): 3 blocks, 240 B (Pool)</c>.</summary>
    public override string ToString() =>
        $"{Location} ({Member}): {LiveBlocks} block{(LiveBlocks == 1 ? "" : "s")}, {LiveBytes} B ({Family})";
}
