using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// Free and realloc misuse caught in-process by the allocator, grouped into findings by kind, family,
/// allocating site and offending site. These are authoritative: the allocator saw them happen, so a lost
/// event can make them fewer but never invent one.
/// </summary>
internal sealed class MisuseLedger
{
    private readonly Dictionary<Key, Tally> _entries = new();

    /// <summary>Each finding's incidents (block id, offending site, kind, size), for their stacks; at most <see cref="MaxIncidents"/> a finding.</summary>
    private readonly Dictionary<Key, List<Incident>> _incidents = new();

    private const int MaxIncidents = 10_000;

    /// <summary>Misuse events of a kind this tracer does not know (counted and shown, never dropped).</summary>
    public long UnknownKinds { get; private set; }

    public long Events { get; private set; }

    /// <summary>Records a free / realloc misuse. Returns false for kinds that belong to views and owners.</summary>
    public bool Record(in MisuseReported m)
    {
        (FindingKind kind, string? detail)? mapped = m.Kind switch
        {
            MisuseKind.MismatchedFree => (FindingKind.MismatchedFree, null),
            MisuseKind.DoubleFree => (FindingKind.DoubleFree, null),
            MisuseKind.ReallocOfFreed => (FindingKind.DoubleFree, "realloc"),
            MisuseKind.InvalidFree => (FindingKind.InvalidFree, null),
            MisuseKind.InvalidRealloc => (FindingKind.InvalidFree, "realloc"),
            _ => null,
        };

        if (m.Kind is MisuseKind.DisposeWithViews or MisuseKind.ResizeWithViews)
        {
            Events++;
            return false;
        }

        Events++;
        if (mapped is not { } found)
        {
            UnknownKinds++;
            return true;
        }

        bool unknownPointer = found.kind == FindingKind.InvalidFree || m.Id.IsNone;
        HeapFamily family = m.BlockFamily != HeapFamily.Unknown ? m.BlockFamily : m.CallerFamily;
        var key = new Key(
            found.kind,
            family,
            unknownPointer ? m.Site.Value : m.AllocationSite.Value,
            m.Site.Value,
            found.kind == FindingKind.MismatchedFree ? m.CallerFamily : null,
            found.detail);
        ref Tally tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_entries, key, out _);
        tally.Add(m.Size);
        if (!_incidents.TryGetValue(key, out List<Incident>? incidents))
        {
            _incidents[key] = incidents = new List<Incident>();
        }

        if (incidents.Count < MaxIncidents)
        {
            incidents.Add(new Incident(m.Kind, m.Id.Value, m.Site.Value, m.Size, unknownPointer));
        }

        return true;
    }

    public IEnumerable<Finding> Findings(SiteTable sites, StackLedger? stacks = null)
    {
        foreach ((Key key, Tally tally) in _entries)
        {
            IReadOnlyList<FindingStack> blockStacks = [];
            IReadOnlyList<FindingStack> callStacks = [];
            if (stacks is not null && _incidents.TryGetValue(key, out List<Incident>? incidents))
            {
                // The offending call's stack; and for a known block, the stack that allocated it (as site and freeSite).
                callStacks = stacks.Group(incidents.Select(i => (stacks.MisuseStack(i.Kind, i.Id, i.Site), i.Size)));
                blockStacks = key.Kind == FindingKind.InvalidFree
                    ? callStacks
                    : stacks.Group(incidents.Where(i => !i.UnknownPointer).Select(i => (stacks.AllocationStack(i.Id), i.Size)));
            }

            yield return new Finding(key.Kind, key.Family, tally.Count, tally.Bytes, sites.Resolve(key.Site))
            {
                FreeSite = sites.Resolve(key.FreeSite),
                CallerFamily = key.Caller,
                Detail = key.Detail,
                Stacks = blockStacks,
                FreeStacks = key.Kind == FindingKind.InvalidFree ? [] : callStacks,
            };
        }
    }

    private readonly record struct Incident(MisuseKind Kind, long Id, int Site, long Size, bool UnknownPointer);

    private readonly record struct Key(FindingKind Kind, HeapFamily Family, int Site, int FreeSite, HeapFamily? Caller, string? Detail);
}
