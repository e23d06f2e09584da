namespace LeakScope.Allocator;

/// <summary>Blocks of one family allocated at one site and still live, as a <see cref="LeakGateScope"/> reports them.</summary>
public readonly record struct LeakSite(string File, int Line, string Member, AllocationFamily Family, long Blocks, long Bytes)
{
    /// <summary>For example <c>Parser.cs:42 (Handle): 3 blocks, 240 B (Pool)</c>.</summary>
    public override string ToString() =>
        $"{System.IO.Path.GetFileName(File)}:{Line} ({Member}): {Blocks} block{(Blocks == 1 ? "" : "s")}, {Bytes} B ({Family})";
}
