using System.Globalization;
using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Reporting;

/// <summary>Sentences about findings and their kinds, shared by the SARIF, JUnit and HTML writers.</summary>
public static class FindingText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A short title for a kind (SARIF rule name, JUnit test name, HTML heading).</summary>
    public static string Title(FindingKind kind) => kind switch
    {
        FindingKind.Leak => "Native memory leaked",
        FindingKind.Growth => "Live native memory keeps growing",
        FindingKind.MismatchedFree => "Block freed by another allocator family",
        FindingKind.DoubleFree => "Block freed twice",
        FindingKind.InvalidFree => "Pointer freed that no LeakScope heap handed out",
        FindingKind.ResizeWithViews => "Buffer resized while views were outstanding",
        FindingKind.ViewLeak => "Buffer view never released",
        FindingKind.OwnerFinalized => "Native owner reclaimed by the finalizer",
        _ => kind.ToString(),
    };

    /// <summary>What a kind means and what to do about it (SARIF rule description and help).</summary>
    public static string Description(FindingKind kind) => kind switch
    {
        FindingKind.Leak => "Blocks allocated at this site were still live when the target exited (or when the tracer detached). Free them on every path (try/finally), or tie them to an owner that is disposed.",
        FindingKind.Growth => "The live bytes allocated at this site rose in most heartbeat windows of the session: a cache or collection that only grows, or a leak in a long-running process.",
        FindingKind.MismatchedFree => "A block must be freed by the family that allocated it: RawHeap blocks by RawHeap.Free, PoolHeap blocks by PoolHeap.Free (malloc/free versus PyMem_Malloc/PyMem_Free).",
        FindingKind.DoubleFree => "The block was freed (or reallocated) after it had already been freed. Clear the pointer after freeing it, and give every block one owner.",
        FindingKind.InvalidFree => "The pointer passed to Free or Realloc did not come from a LeakScope heap (a stack or foreign pointer, or an interior pointer).",
        FindingKind.ResizeWithViews => "A NativeBuffer cannot be resized while views or pins of it are outstanding (the buffer protocol). Release every view before resizing.",
        FindingKind.ViewLeak => "A view or pin of a NativeBuffer was never disposed: it was finalized, outstanding when its buffer was disposed, or outstanding at the end of the trace.",
        FindingKind.OwnerFinalized => "A NativeArray or NativeBuffer was reclaimed by its finalizer instead of Dispose: its memory lived until a garbage collection happened to run. Dispose it (using).",
        _ => kind.ToString(),
    };

    /// <summary>One sentence for one finding, e.g. "3 pool blocks (240 B) allocated here were still live at the end."</summary>
    public static string Describe(Finding f)
    {
        string family = ReportNames.Family(f.Family);
        string bytes = Bytes(f.Bytes);
        string count = f.Count.ToString("N0", Invariant);
        string blocks = f.Count == 1 ? "block" : "blocks";
        string times = f.Count == 1 ? "once" : $"{count} times";
        string text = f.Kind switch
        {
            FindingKind.Leak => $"{count} {family} {blocks} ({bytes}) allocated here {(f.Count == 1 ? "was" : "were")} still live at the end of the trace.",
            FindingKind.Growth when f.Growth is { } g => $"Live {family} bytes allocated here grew from {Bytes(g.FirstBytes)} to {Bytes(g.LastBytes)} (rose in {g.RisingWindows} of {g.Windows} heartbeat windows).",
            FindingKind.Growth => $"Live {family} bytes allocated here grew by {bytes}.",
            FindingKind.MismatchedFree => $"{count} {family} {blocks} ({bytes}) allocated here {(f.Count == 1 ? "was" : "were")} freed by {(f.CallerFamily is { } c ? ReportNames.Family(c) : "another family")}{At(f.FreeSite)}.",
            FindingKind.DoubleFree => $"A {family} block ({bytes}) allocated here was freed again{At(f.FreeSite)}, {times}.",
            FindingKind.InvalidFree => $"A pointer no LeakScope heap handed out was passed to {family} {(f.Detail == "realloc" ? "Realloc" : "Free")} here, {times}.",
            FindingKind.ResizeWithViews => $"A resize here was refused {times} because views were outstanding{Views(f)}.",
            FindingKind.ViewLeak => $"{count} {(f.Count == 1 ? "view" : "views")} acquired here {(f.Count == 1 ? "was" : "were")} never released{ViewDetail(f)}.",
            FindingKind.OwnerFinalized => $"{count} {(f.Count == 1 ? "owner" : "owners")} ({bytes}, {family}) created here {(f.Count == 1 ? "was" : "were")} reclaimed by the finalizer instead of Dispose.",
            _ => $"{ReportNames.Kind(f.Kind)}: {count} × {bytes}.",
        };
        return f.Uncertain ? text + " (Uncertain: the trace is incomplete.)" : text;
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 10 * 1024 => $"{bytes.ToString("N0", Invariant)} B",
        < 10L * 1024 * 1024 => $"{(bytes / 1024.0).ToString("N1", Invariant)} KiB",
        _ => $"{(bytes / (1024.0 * 1024)).ToString("N1", Invariant)} MiB",
    };

    private static string At(SiteInfo? site) => site is null ? string.Empty : $" at {site}";

    private static string Views(Finding f) => f.Views.Count == 0 ? string.Empty
        : " (acquired at " + string.Join(", ", f.Views.Select(v => $"{v.Site} × {v.Count.ToString("N0", Invariant)}")) + ")";

    private static string ViewDetail(Finding f) => f.Detail switch
    {
        "disposed-with-views" => $" before its buffer was disposed{At(f.FreeSite)}",
        "outstanding-at-end" => " (still outstanding at the end of the trace)",
        _ => " (finalized undisposed)",
    };
}
