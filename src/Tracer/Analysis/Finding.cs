using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// One judged problem: a kind, a family, how many incidents or blocks, how many bytes, and every site
/// involved. <see cref="Site"/> is the allocating site for block findings, the acquiring site for view
/// leaks, the resize call for blocked resizes, the creation site for finalized owners, and the offending
/// call for frees of unknown pointers (which have no allocating site).
/// </summary>
public sealed record Finding(FindingKind Kind, HeapFamily Family, long Count, long Bytes, SiteInfo Site)
{
    /// <summary>The freeing / offending call, for free and realloc misuse.</summary>
    public SiteInfo? FreeSite { get; init; }

    /// <summary>The family of the call that misused the block (mismatched frees).</summary>
    public HeapFamily? CallerFamily { get; init; }

    /// <summary>Outstanding views and the sites that acquired them (resize-with-views, disposal with views).</summary>
    public IReadOnlyList<ViewSite> Views { get; init; } = [];

    /// <summary>A finer description inside the kind, e.g. <c>realloc</c>, <c>disposed-with-views</c>, <c>outstanding-at-end</c>.</summary>
    public string? Detail { get; init; }

    /// <summary>True when the finding could be an artefact of an incomplete account (lost events, unverified heap).</summary>
    public bool Uncertain { get; init; }

    /// <summary>
    /// Leaks judged by a heap snapshot (<c>--reachability</c>): why the blocks are lost. Null without a snapshot, and for
    /// blocks the snapshot did not see.
    /// </summary>
    public LeakReachability? Reachability { get; init; }

    /// <summary>Retained only: the paths from GC roots that hold the blocks, most bytes first.</summary>
    public IReadOnlyList<Holder> Holders { get; init; } = [];

    /// <summary>Growth only: the site's live bytes at its first and last heartbeat sample, and the windows it rose in.</summary>
    public GrowthEvidence? Growth { get; init; }

    /// <summary>
    /// The call stacks of the finding's own blocks or call, innermost frame first, most bytes first: a leak's live blocks,
    /// a misuse's offending call. Empty when the trace carried no stacks for it.
    /// </summary>
    public IReadOnlyList<FindingStack> Stacks { get; init; } = [];

    /// <summary>Double and mismatched frees: the stacks of the offending free or realloc calls (as <see cref="FreeSite"/> is their site).</summary>
    public IReadOnlyList<FindingStack> FreeStacks { get; init; } = [];
}

/// <summary>The samples behind a growth finding.</summary>
public sealed record GrowthEvidence(long FirstBytes, long LastBytes, long PeakBytes, int RisingWindows, int FallingWindows, int Windows);
