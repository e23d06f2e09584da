namespace LeakScope.Tracer.Analysis;

/// <summary>
/// The one table of finding kinds (docs/analysis.md, "Findings"): an entry per <see cref="FindingKind"/> that
/// every report writer, the gate, the suppressions file and <c>--fail-on</c> read. <see cref="Create"/> is a switch
/// with no default, so a new kind does not compile (CS8509, an error under TreatWarningsAsErrors) until its entry is
/// written here; nothing else needs to change for the reports to name, explain, count and gate it.
/// </summary>
public static class FindingKinds
{
    /// <summary>Every kind's entry, in <see cref="FindingKind"/> order (the SARIF rule index).</summary>
    public static IReadOnlyList<FindingKindInfo> All { get; } = Enum.GetValues<FindingKind>().Select(Create).ToArray();

    /// <summary>The entry of a kind.</summary>
    public static FindingKindInfo Of(FindingKind kind) =>
        (uint)kind < (uint)All.Count && All[(int)kind].Kind == kind
            ? All[(int)kind]
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a finding kind");

    /// <summary>The contract string of a kind: <c>mismatched-free</c>.</summary>
    public static string Name(FindingKind kind) => Of(kind).Name;

    /// <summary>The kind a contract string names (<c>leak</c>, <c>mismatched-free</c>, …), case-insensitively.</summary>
    public static bool TryParse(string name, out FindingKind kind)
    {
        foreach (FindingKindInfo info in All)
        {
            if (string.Equals(info.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                kind = info.Kind;
                return true;
            }
        }

        kind = default;
        return false;
    }

    // CS8524 (an unnamed enum value is not handled) is the only warning silenced: CS8509, a named kind without an
    // entry, stays an error. FindingKind's values are dense from 0, which Of checks.
#pragma warning disable CS8524
    private static FindingKindInfo Create(FindingKind kind) => kind switch
    {
        FindingKind.Leak => new(kind)
        {
            Name = "leak",
            Title = "Native memory leaked",
            Description = "Blocks allocated at this site were still live when the target exited (or when the tracer detached). Free them on every path (try/finally), or tie them to an owner that is disposed.",
            SarifLevel = "error",
            Category = "leak",
            GatesByDefault = true,
            CountOne = "block",
            CountMany = "blocks",
            BytesMeaning = "total",
            SiteRole = "allocated at",
            FreeSiteVerb = "freed",
            Sentence = w => $"{w.Count} {w.Family} {w.Plural("block", "blocks")} ({w.Bytes}) allocated here {w.Were} still live at the end of the trace{LostHow(w.Finding)}.",
        },
        FindingKind.Growth => new(kind)
        {
            Name = "growth",
            Title = "Live native memory keeps growing",
            Description = "The live bytes allocated at this site rose in most heartbeat windows of the session: a cache or collection that only grows, or a leak in a long-running process.",
            SarifLevel = "warning",
            Category = "leak",
            GatesByDefault = true,
            CountOne = "live block at end",
            CountMany = "live blocks at end",
            BytesMeaning = "gained",
            RestatesBytes = true,
            SiteRole = "allocated at",
            FreeSiteVerb = "freed",
            Sentence = w => w.Finding.Growth is { } g
                ? $"Live {w.Family} bytes allocated here grew from {w.BytesOf(g.FirstBytes)} to {w.BytesOf(g.LastBytes)} (rose in {g.RisingWindows} of {g.Windows} heartbeat windows)."
                : $"Live {w.Family} bytes allocated here grew by {w.Bytes}.",
        },
        FindingKind.MismatchedFree => new(kind)
        {
            Name = "mismatched-free",
            Title = "Block freed by another allocator family",
            Description = "A block must be freed by the family that allocated it: RawHeap blocks by RawHeap.Free, PoolHeap blocks by PoolHeap.Free (malloc/free versus PyMem_Malloc/PyMem_Free).",
            SarifLevel = "error",
            Category = "misuse",
            GatesByDefault = true,
            CountOne = "block",
            CountMany = "blocks",
            BytesMeaning = "total",
            SiteRole = "allocated at",
            FreeSiteVerb = "freed",
            Sentence = w => $"{w.Count} {w.Family} {w.Plural("block", "blocks")} ({w.Bytes}) allocated here {w.Were} freed by {(w.Finding.CallerFamily is { } c ? w.FamilyOf(c) : "another family")}{FindingWords.At(w.Finding.FreeSite)}.",
        },
        FindingKind.DoubleFree => new(kind)
        {
            Name = "double-free",
            Title = "Block freed twice",
            Description = "The block was freed (or reallocated) after it had already been freed. Clear the pointer after freeing it, and give every block one owner.",
            SarifLevel = "error",
            Category = "misuse",
            GatesByDefault = true,
            CountOne = "repeated free",
            CountMany = "repeated frees",
            BytesMeaning = "total",
            SiteRole = "allocated at",
            FreeSiteVerb = "freed",
            Sentence = w => w.One
                ? $"A {w.Family} block ({w.Bytes}) allocated here was freed again{FindingWords.At(w.Finding.FreeSite)}, once."
                : $"{w.Family} blocks allocated here were freed again{FindingWords.At(w.Finding.FreeSite)}, {w.Times} ({w.Bytes} in all).",
        },
        FindingKind.InvalidFree => new(kind)
        {
            Name = "invalid-free",
            Title = "Pointer freed that no LeakScope heap handed out",
            Description = "The pointer passed to Free or Realloc did not come from a LeakScope heap (a stack or foreign pointer, or an interior pointer).",
            SarifLevel = "error",
            Category = "misuse",
            GatesByDefault = true,
            CountOne = "call",
            CountMany = "calls",
            BytesMeaning = "total",
            SiteRole = "freed at",
            FreeSiteVerb = "freed",
            Sentence = w => $"A pointer no LeakScope heap handed out was passed to {w.Family} {(w.Finding.Detail == "realloc" ? "Realloc" : "Free")} here, {w.Times}.",
        },
        FindingKind.ResizeWithViews => new(kind)
        {
            Name = "resize-with-views",
            Title = "Buffer resized while views were outstanding",
            Description = "A NativeBuffer cannot be resized while views or pins of it are outstanding (the buffer protocol). Release every view before resizing.",
            SarifLevel = "warning",
            Category = "misuse",
            GatesByDefault = true,
            CountOne = "refused resize",
            CountMany = "refused resizes",
            BytesMeaning = "total",
            SiteRole = "resize at",
            FreeSiteVerb = "freed",
            Sentence = w => $"A resize here was refused {w.Times} because views were outstanding{AcquiredAt(w.Finding)}.",
        },
        FindingKind.ViewLeak => new(kind)
        {
            Name = "view-leak",
            Title = "Buffer view never released",
            Description = "A view or pin of a NativeBuffer was never disposed: it was finalized, outstanding when its buffer was disposed, or outstanding at the end of the trace.",
            SarifLevel = "warning",
            Category = "misuse",
            GatesByDefault = true,
            CountOne = "view",
            CountMany = "views",
            BytesMeaning = "total",
            SiteRole = "acquired at",
            FreeSiteVerb = "disposed",
            Sentence = w => $"{w.Count} {w.Plural("view", "views")} acquired here {w.Were} never released{HowLeaked(w.Finding)}.",
        },
        FindingKind.OwnerFinalized => new(kind)
        {
            Name = "owner-finalized",
            Title = "Native owner reclaimed by the finalizer",
            Description = "A NativeArray or NativeBuffer was reclaimed by its finalizer instead of Dispose: its memory lived until a garbage collection happened to run. Dispose it (using).",
            SarifLevel = "warning",
            Category = "leak",
            GatesByDefault = true,
            CountOne = "owner",
            CountMany = "owners",
            BytesMeaning = "total",
            SiteRole = "created at",
            FreeSiteVerb = "freed",
            Sentence = w => $"{w.Count} {w.Plural("owner", "owners")} ({w.Bytes}, {w.Family}) created here {w.Were} reclaimed by the finalizer instead of Dispose.",
        },
        FindingKind.Retained => new(kind)
        {
            Name = "retained",
            Title = "Native memory still held at the end",
            Description = "Blocks allocated at this site were still live at the end of the trace, and the program still held them: a GC root reaches them through the holder path shown (LeakSanitizer's \"still reachable\"). A cache or a long-lived structure, not a leak, unless it should have been released.",
            SarifLevel = "note",
            Category = "leak",
            GatesByDefault = false,
            CountOne = "block",
            CountMany = "blocks",
            BytesMeaning = "total",
            SiteRole = "allocated at",
            FreeSiteVerb = "freed",
            Sentence = w => $"{w.Count} {w.Family} {w.Plural("block", "blocks")} ({w.Bytes}) allocated here {w.Were} still held at the end of the trace{HeldBy(w.Finding)}.",
        },
    };
#pragma warning restore CS8524

    private static string LostHow(Finding f) => f.Reachability switch
    {
        LeakReachability.Unreferenced => ", and nothing pointed to them",
        LeakReachability.Indirect => ", pointed to only by other lost blocks",
        LeakReachability.HeldByGarbage => ", held only by unreachable managed objects",
        LeakReachability.Interior => ", reached only through pointers into their middle",
        _ => string.Empty,
    };

    private static string HeldBy(Finding f) => f.Holders.Count == 0 ? string.Empty
        : ", by " + string.Join(" → ", f.Holders[0].Path) + (f.Holders.Count > 1 ? $" and {f.Holders.Count - 1} other {(f.Holders.Count == 2 ? "path" : "paths")}" : string.Empty);

    /// <summary>The contract string of a leak's reachability: <c>held-by-garbage</c>.</summary>
    public static string ReachabilityName(LeakReachability reachability) => reachability switch
    {
        LeakReachability.Unreferenced => "unreferenced",
        LeakReachability.Indirect => "indirect",
        LeakReachability.HeldByGarbage => "held-by-garbage",
        LeakReachability.Interior => "interior",
        _ => throw new ArgumentOutOfRangeException(nameof(reachability), reachability, "not a reachability"),
    };

    private static string AcquiredAt(Finding f) => f.Views.Count == 0 ? string.Empty
        : " (acquired at " + string.Join(", ", f.Views.Select(v => $"{v.Site}: {v.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {(v.Count == 1 ? "view" : "views")}")) + ")";

    private static string HowLeaked(Finding f) => f.Detail switch
    {
        "disposed-with-views" => $" before its buffer was disposed{FindingWords.At(f.FreeSite)}",
        "outstanding-at-end" => " (still outstanding at the end of the trace)",
        _ => " (finalized undisposed)",
    };
}
