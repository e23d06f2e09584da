namespace LeakScope.Tracer.Analysis;

/// <summary>What a finding reports. The report writers map these to the contract strings of docs/json-report.md.</summary>
public enum FindingKind
{
    /// <summary>Blocks live at target exit (or at detach), grouped by allocating site and family.</summary>
    Leak,

    /// <summary>A site whose live bytes kept rising during the session (see <see cref="GrowthRule"/>).</summary>
    Growth,

    /// <summary>A block freed (or reallocated) through another family than the one that allocated it.</summary>
    MismatchedFree,

    /// <summary>A block freed, or reallocated, after it was already freed.</summary>
    DoubleFree,

    /// <summary>A pointer freed, or reallocated, that no LeakScope heap handed out.</summary>
    InvalidFree,

    /// <summary>A buffer resize refused because views were outstanding.</summary>
    ResizeWithViews,

    /// <summary>A view never released: finalized unreleased, outstanding when its buffer was disposed, or outstanding at the end.</summary>
    ViewLeak,

    /// <summary>An owned array or buffer reclaimed by the finalizer instead of Dispose.</summary>
    OwnerFinalized,

    /// <summary>
    /// Blocks live at the end that the program still reaches from a GC root (a heap snapshot, <c>--reachability</c>):
    /// a cache rather than a leak (LeakSanitizer's "still reachable"). Reported with its holder paths; not gated by default.
    /// </summary>
    Retained,
}
