using System.Runtime.InteropServices;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// Owned arrays and buffers and the views they export: which owner holds which storage block (followed
/// through reallocs), which views are outstanding and where they were acquired; and the findings that come
/// of them — resizes blocked by views, views never released, owners reclaimed by the finalizer.
/// </summary>
internal sealed class OwnershipTracker
{
    private readonly Dictionary<long, Owner> _owners = new();
    private readonly Dictionary<long, long> _ownerByStorage = new();
    private readonly Dictionary<long, View> _views = new();
    private readonly HashSet<long> _reportedViews = new();
    private readonly Dictionary<long, ResizeKey> _lastBlockedResize = new();
    private readonly Dictionary<ResizeKey, ResizeTally> _resizes = new();
    private readonly Dictionary<ViewLeakKey, Tally> _viewLeaks = new();
    private readonly Dictionary<(int Site, HeapFamily Family), Tally> _finalized = new();

    /// <summary>Each finding's views or owners (id, bytes), for their acquiring or creating stacks; at most <see cref="MaxIds"/> a finding.</summary>
    private const int MaxIds = 10_000;
    private readonly Dictionary<ViewLeakKey, List<(long Id, long Bytes)>> _viewLeakIds = new();
    private readonly Dictionary<(int Site, HeapFamily Family), List<(long Id, long Bytes)>> _finalizedIds = new();

    /// <summary>
    /// View leaks whose buffer's storage was not known yet when they were read (its block's record was still in a
    /// batch on its way): resolved from <see cref="_lastStorage"/> when the findings are judged.
    /// </summary>
    private readonly List<(ViewLeakKey Key, long Owner, long Bytes, long View)> _deferredViewLeaks = new();

    /// <summary>
    /// The last storage block seen for each owner, kept after the owner is gone. In the high-rate mode an owner's
    /// events (published at once) can come before its storage block's record (published with the next batch), so
    /// a blocked resize may not find the block yet: it is then resolved from here when the findings are judged.
    /// </summary>
    private readonly Dictionary<long, (HeapFamily Family, long Bytes)> _lastStorage = new();

    /// <summary>A 65,536-bit filter over storage ids, so block records pay one bit test, not a lookup, to learn they are not storage.</summary>
    private readonly ulong[] _storageFilter = new ulong[1024];

    public void OwnerCreated(in OwnerCreated r, HeapModel heap)
    {
        _owners[r.Owner.Value] = new Owner(r.Kind, r.Site.Value, r.Storage.Value);
        if (!r.Storage.IsNone)
        {
            TrackStorage(r.Storage.Value, r.Owner.Value);
            if (heap.TryGetLive(r.Storage, out LiveBlock block))
            {
                _lastStorage[r.Owner.Value] = (block.Family, block.Size);
            }
        }
    }

    /// <summary>True when <paramref name="id"/> may be an owner's storage block (false is certain).</summary>
    public bool MightBeStorage(long id) => (_storageFilter[(id >> 6) & 1023] & (1UL << (int)(id & 63))) != 0;

    /// <summary>A block record for an id that may be storage: remember it as its owner's storage.</summary>
    public void StorageSeen(long id, HeapFamily family, long bytes)
    {
        if (_ownerByStorage.TryGetValue(id, out long owner))
        {
            _lastStorage[owner] = (family, bytes);
        }
    }

    private void TrackStorage(long storage, long owner)
    {
        _ownerByStorage[storage] = owner;
        _storageFilter[(storage >> 6) & 1023] |= 1UL << (int)(storage & 63);
    }

    public void OwnerDisposed(in OwnerDisposed r) => Forget(r.Owner.Value);

    public void OwnerFinalized(in OwnerFinalized r)
    {
        ref Tally tally = ref CollectionsMarshal.GetValueRefOrAddDefault(_finalized, (r.CreationSite.Value, r.Family), out _);
        tally.Add(r.Bytes);
        Remember(_finalizedIds, (r.CreationSite.Value, r.Family), r.Owner.Value, r.Bytes);
        Forget(r.Owner.Value);
    }

    /// <summary>A storage block reallocated: its owner (if any) now holds the new id.</summary>
    public void StorageMoved(AllocationId oldId, AllocationId newId)
    {
        if (_ownerByStorage.Remove(oldId.Value, out long owner))
        {
            TrackStorage(newId.Value, owner);
            if (_owners.TryGetValue(owner, out Owner state))
            {
                _owners[owner] = state with { Storage = newId.Value };
            }
        }
    }

    public void ViewAcquired(in ViewAcquired r) => _views[r.View.Value] = new View(r.Owner.Value, r.Site.Value, r.Kind);

    public void ViewReleased(in ViewReleased r) => _views.Remove(r.View.Value);

    public void ViewLeaked(in ViewLeaked r, HeapModel heap)
    {
        _views.Remove(r.View.Value);
        if (_reportedViews.Remove(r.View.Value))
        {
            return; // Already reported when its buffer was disposed under it.
        }

        (HeapFamily family, long bytes) = StorageOf(r.Owner.Value, heap);
        if (family == HeapFamily.Unknown)
        {
            _deferredViewLeaks.Add((new ViewLeakKey(r.AcquireSite.Value, family, 0, null), r.Owner.Value, -1, r.View.Value));
            return;
        }

        AddViewLeak(new ViewLeakKey(r.AcquireSite.Value, family, 0, null), bytes, r.View.Value);
    }

    public void ResizeBlocked(in ResizeBlocked r, HeapModel heap)
    {
        (HeapFamily family, long bytes) = StorageOf(r.Owner.Value, heap);
        var key = new ResizeKey(r.Site.Value);
        ResizeTally tally = TallyFor(key);
        tally.Blocked++;
        tally.Family = tally.Family == HeapFamily.Unknown ? family : tally.Family;
        if (tally.Refusals.Count < MaxIds)
        {
            tally.Refusals.Add((r.Owner.Value, r.Site.Value, bytes));
        }

        if (family == HeapFamily.Unknown)
        {
            tally.Unresolved.Add(r.Owner.Value); // its storage record may still be on its way (see _lastStorage)
        }
        else
        {
            tally.Bytes += bytes;
        }
        _lastBlockedResize[r.Owner.Value] = key;
    }

    public void ResizeBlockedView(in ResizeBlockedView r)
    {
        if (_lastBlockedResize.TryGetValue(r.Owner.Value, out ResizeKey key))
        {
            ResizeTally tally = TallyFor(key);
            ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(tally.Views, r.AcquireSite.Value, out _);
            count++;
            Remember(tally.ViewIds, r.AcquireSite.Value, r.View.Value, 0);
        }
    }

    /// <summary>The misuse event of a blocked resize: the same incident as <see cref="ResizeBlocked"/>, counted apart so either alone suffices.</summary>
    public void ResizeMisuse(in MisuseReported m, HeapModel heap)
    {
        HeapFamily family = m.BlockFamily;
        if (family == HeapFamily.Unknown)
        {
            family = StorageOf(OwnerOf(m.Id.Value), heap).Family;
        }

        ResizeTally tally = TallyFor(new ResizeKey(m.Site.Value));
        tally.Misuse++;
        tally.MisuseBytes += m.Size;
        if (tally.Calls.Count < MaxIds)
        {
            tally.Calls.Add((m.Kind, m.Id.Value, m.Site.Value, m.Size));
        }
        tally.Family = tally.Family == HeapFamily.Unknown ? family : tally.Family;
    }

    /// <summary>A buffer disposed while views were outstanding: each such view is a view leak (reported once).</summary>
    public void DisposeMisuse(in MisuseReported m, HeapModel heap)
    {
        long owner = OwnerOf(m.Id.Value);
        HeapFamily family = m.BlockFamily != HeapFamily.Unknown ? m.BlockFamily : StorageOf(owner, heap).Family;
        bool any = false;
        foreach ((long viewId, View view) in _views)
        {
            if (view.Owner == owner && owner != 0)
            {
                any = true;
                _reportedViews.Add(viewId);
                AddOrDefer(new ViewLeakKey(view.AcquireSite, family, m.Site.Value, "disposed-with-views"), owner, m.Size, viewId);
            }
        }

        foreach (long reported in _reportedViews)
        {
            _views.Remove(reported);
        }

        if (!any)
        {
            AddOrDefer(new ViewLeakKey(m.Site.Value, family, m.Site.Value, "disposed-with-views"), owner, m.Size, 0);
        }
    }

    private void AddOrDefer(ViewLeakKey key, long owner, long bytes, long view)
    {
        if (key.Family == HeapFamily.Unknown)
        {
            _deferredViewLeaks.Add((key, owner, bytes, view));
        }
        else
        {
            AddViewLeak(key, bytes, view);
        }
    }

    /// <summary>
    /// Incidents whose buffer's storage block never arrived (no family, no bytes), counted when the stream is judged:
    /// each makes the account incomplete rather than show a finding as <c>unknown</c>, 0 B.
    /// </summary>
    public long Unresolved(HeapModel heap)
    {
        long unresolved = 0;
        foreach (ResizeTally tally in _resizes.Values)
        {
            int missing = tally.Unresolved.Count(owner => !_lastStorage.ContainsKey(owner));
            if (tally.Blocked >= tally.Misuse)
            {
                unresolved += missing; // their bytes are the finding's
            }
            else if (tally.Family == HeapFamily.Unknown && missing == tally.Unresolved.Count)
            {
                unresolved++; // bytes from the misuse events, but no family
            }
        }

        unresolved += _deferredViewLeaks.Count(d => StorageOf(d.Owner, heap).Family == HeapFamily.Unknown);
        unresolved += _views.Values.Count(v => StorageOf(v.Owner, heap).Family == HeapFamily.Unknown);
        return unresolved;
    }

    public long OutstandingViews => _views.Count;

    /// <summary>
    /// The findings; with <paramref name="stacks"/>, each carries its stacks: a blocked resize the resize call's, and each of its
    /// outstanding views the acquiring one; a view leak its views' acquiring stacks; a finalized owner its creation stack.
    /// </summary>
    public IEnumerable<Finding> Findings(SiteTable sites, HeapModel heap, bool endUncertain, StackLedger? stacks = null)
    {
        foreach ((ResizeKey key, ResizeTally tally) in _resizes)
        {
            HeapFamily family = tally.Family;
            long blockedBytes = tally.Bytes;
            foreach (long owner in tally.Unresolved)
            {
                if (_lastStorage.TryGetValue(owner, out (HeapFamily Family, long Bytes) storage))
                {
                    family = family == HeapFamily.Unknown ? storage.Family : family;
                    blockedBytes += storage.Bytes;
                }
            }

            long count = Math.Max(tally.Blocked, tally.Misuse);
            long bytes = tally.Blocked >= tally.Misuse ? blockedBytes : tally.MisuseBytes;
            yield return new Finding(FindingKind.ResizeWithViews, family, count, bytes, sites.Resolve(key.Site))
            {
                Views = tally.Views
                    .OrderByDescending(v => v.Value).ThenBy(v => v.Key)
                    .Select(v => new ViewSite(sites.Resolve(v.Key), v.Value)
                    {
                        Stacks = stacks is null ? [] : ViewStacks(stacks, tally.ViewIds.GetValueOrDefault(v.Key)),
                    }).ToArray(),
                // The refused calls' stacks, from the incidents the finding counts (blocked resizes or their misuse events).
                Stacks = stacks is null ? []
                    : tally.Blocked >= tally.Misuse ? stacks.Group(tally.Refusals.Select(c => (stacks.RefusalStack(c.Owner, c.Site), c.Bytes)))
                    : stacks.Group(tally.Calls.Select(c => (stacks.MisuseStack(c.Kind, c.Id, c.Site), c.Size))),
            };
        }

        var viewLeaks = new Dictionary<ViewLeakKey, Tally>(_viewLeaks);
        var viewLeakIds = _viewLeakIds.ToDictionary(e => e.Key, e => new List<(long Id, long Bytes)>(e.Value));
        foreach ((ViewLeakKey deferred, long owner, long bytes, long view) in _deferredViewLeaks)
        {
            (HeapFamily family, long storageBytes) = StorageOf(owner, heap);
            ViewLeakKey key = deferred with { Family = family };
            ref Tally tally = ref CollectionsMarshal.GetValueRefOrAddDefault(viewLeaks, key, out _);
            tally.Add(bytes >= 0 ? bytes : storageBytes);
            Remember(viewLeakIds, key, view, bytes >= 0 ? bytes : storageBytes);
        }

        foreach ((ViewLeakKey key, Tally tally) in viewLeaks)
        {
            yield return new Finding(FindingKind.ViewLeak, key.Family, tally.Count, tally.Bytes, sites.Resolve(key.Site))
            {
                FreeSite = key.DisposeSite != 0 ? sites.Resolve(key.DisposeSite) : null,
                Detail = key.Detail,
                Stacks = stacks is null ? [] : ViewStacks(stacks, viewLeakIds.GetValueOrDefault(key)),
            };
        }

        // Views still outstanding when the stream ended were never released either.
        var atEnd = new Dictionary<(int Site, HeapFamily Family), Tally>();
        var atEndIds = new Dictionary<(int Site, HeapFamily Family), List<(long Id, long Bytes)>>();
        foreach ((long viewId, View view) in _views)
        {
            (HeapFamily family, long bytes) = StorageOf(view.Owner, heap);
            ref Tally tally = ref CollectionsMarshal.GetValueRefOrAddDefault(atEnd, (view.AcquireSite, family), out _);
            tally.Add(bytes);
            Remember(atEndIds, (view.AcquireSite, family), viewId, bytes);
        }

        foreach (((int site, HeapFamily family), Tally tally) in atEnd)
        {
            yield return new Finding(FindingKind.ViewLeak, family, tally.Count, tally.Bytes, sites.Resolve(site))
            {
                Detail = "outstanding-at-end",
                Uncertain = endUncertain,
                Stacks = stacks is null ? [] : ViewStacks(stacks, atEndIds.GetValueOrDefault((site, family))),
            };
        }

        foreach (((int site, HeapFamily family), Tally tally) in _finalized)
        {
            yield return new Finding(FindingKind.OwnerFinalized, family, tally.Count, tally.Bytes, sites.Resolve(site))
            {
                // The owner was never disposed: where it was created is the stack to read.
                Stacks = stacks is null || !_finalizedIds.TryGetValue((site, family), out List<(long Id, long Bytes)>? owners)
                    ? []
                    : stacks.Group(owners.Select(o => (stacks.OwnerStack(o.Id), o.Bytes))),
            };
        }
    }

    private void AddViewLeak(ViewLeakKey key, long bytes, long view)
    {
        ref Tally tally = ref CollectionsMarshal.GetValueRefOrAddDefault(_viewLeaks, key, out _);
        tally.Add(bytes);
        Remember(_viewLeakIds, key, view, bytes);
    }

    /// <summary>Keeps a finding's view or owner id (and its bytes) for its stack, up to <see cref="MaxIds"/> a finding.</summary>
    private static void Remember<TKey>(Dictionary<TKey, List<(long Id, long Bytes)>> ids, TKey key, long id, long bytes)
        where TKey : notnull
    {
        if (id == 0)
        {
            return;
        }

        if (!ids.TryGetValue(key, out List<(long Id, long Bytes)>? list))
        {
            ids[key] = list = new List<(long Id, long Bytes)>();
        }

        if (list.Count < MaxIds)
        {
            list.Add((id, bytes));
        }
    }

    private static IReadOnlyList<FindingStack> ViewStacks(StackLedger stacks, List<(long Id, long Bytes)>? views) =>
        views is null ? [] : stacks.Group(views.Select(v => (stacks.ViewStack(v.Id), v.Bytes)));

    private ResizeTally TallyFor(ResizeKey key)
    {
        if (!_resizes.TryGetValue(key, out ResizeTally? tally))
        {
            tally = new ResizeTally();
            _resizes.Add(key, tally);
        }

        return tally;
    }

    private long OwnerOf(long id) =>
        _owners.ContainsKey(id) ? id : _ownerByStorage.TryGetValue(id, out long owner) ? owner : id;

    private (HeapFamily Family, long Bytes) StorageOf(long owner, HeapModel heap)
    {
        if (_owners.TryGetValue(owner, out Owner state) && heap.TryGetLive(new AllocationId(state.Storage), out LiveBlock block))
        {
            return (block.Family, block.Size);
        }

        return _lastStorage.TryGetValue(owner, out (HeapFamily Family, long Bytes) last) ? last : (HeapFamily.Unknown, 0);
    }

    /// <summary>
    /// The owner is gone. Its storage mapping stays: in the high-rate mode the storage block's records (allocation,
    /// reallocs) can be read after the owner's dispose, and they are what names the family and bytes of its findings.
    /// </summary>
    private void Forget(long owner)
    {
        _owners.Remove(owner);
        _lastBlockedResize.Remove(owner);
    }

    private readonly record struct Owner(OwnerKind Kind, int Site, long Storage);

    private readonly record struct View(long Owner, int AcquireSite, ViewKind Kind);

    private readonly record struct ResizeKey(int Site);

    private readonly record struct ViewLeakKey(int Site, HeapFamily Family, int DisposeSite, string? Detail);

    private sealed class ResizeTally
    {
        public long Blocked;
        public long Bytes;
        public long Misuse;
        public long MisuseBytes;
        public HeapFamily Family;
        public readonly Dictionary<int, long> Views = new();

        /// <summary>The outstanding views' ids (for their acquiring stacks), by acquiring site.</summary>
        public readonly Dictionary<int, List<(long Id, long Bytes)>> ViewIds = new();

        /// <summary>The refused resizes (owner, site, bytes), for their stacks, at most <see cref="MaxIds"/>.</summary>
        public readonly List<(long Owner, int Site, long Bytes)> Refusals = new();

        /// <summary>The refused resize calls' misuse events (for their stacks), at most <see cref="MaxIds"/>.</summary>
        public readonly List<(MisuseKind Kind, long Id, int Site, long Size)> Calls = new();

        /// <summary>Owners whose storage was not known when their resize was blocked, one entry per incident.</summary>
        public readonly List<long> Unresolved = new();
    }
}
