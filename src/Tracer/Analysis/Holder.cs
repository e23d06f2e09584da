namespace LeakScope.Tracer.Analysis;

/// <summary>
/// A path by which the program still holds retained blocks: from a GC root (<c>static Cache.Items</c>, a thread's
/// stack, a GC handle) through managed objects' fields and array elements and, where it passes through them, other
/// native blocks, to the pointer that holds the block; with how many of the finding's blocks and bytes it holds.
/// </summary>
public sealed record Holder(IReadOnlyList<string> Path, long Count, long Bytes);
