namespace LeakScope.Allocator.Heaps;

/// <summary>
/// The shared store behind every thread's cache for one (family, size class). Threads come here only to refill or
/// spill a cache, a batch at a time, so the lock is rarely taken.
/// <para>
/// Free blocks are kept per pool (as CPython's obmalloc keeps them), so the store knows when every block of a pool is
/// back. An empty pool stays mapped and reusable; once its class keeps more than <see cref="KeptPerClass"/> and all
/// classes together more than <see cref="RetainedEmptyPoolLimit"/>, it becomes eligible for <see cref="PagePurger"/>,
/// which gives the pages of pools that have stayed empty for <see cref="PagePurger.DelayMilliseconds"/> back in
/// batches, one system call per run of adjacent pools (jemalloc's decay, mimalloc's delayed purge). A released pool
/// waits to be carved again by the same class. The hysteresis and the delay together keep a steady loop, and a program
/// that frees a large structure and builds it again at once, from calling the system at all. Blocks are taken from
/// pools already in use first, so that a burst's pools drain and empty instead of being kept half-used.
/// </para>
/// </summary>
internal sealed class SizeClassPool
{
    /// <summary>Empty pools kept mapped across all classes (16 MiB); beyond this, pools that stay empty are purged.</summary>
    internal const int RetainedEmptyPoolLimit = 1024;

    /// <summary>
    /// Empty pools a class keeps whatever the others keep (256 KiB; 16 MiB over all 64 classes), so that a steady loop in
    /// one class never gives pages back because a burst in another left the shared allowance full.
    /// </summary>
    internal const int KeptPerClass = 16;

    private static int s_retainedEmptyPools;

    private readonly Lock _lock = new();
    private readonly AllocationFamily _family;
    private readonly int _classIndex;
    private readonly int _stride;
    private readonly int _capacity;

    /// <summary>Pools with some free blocks and some in use (or the pool being carved, with free blocks).</summary>
    private readonly List<PoolRef> _partial = new();

    /// <summary>Pools whose every carved block is free here, kept mapped; in the order they emptied (oldest first).</summary>
    private readonly List<PoolRef> _empty = new();

    /// <summary>Pools whose pages went back to the system; carved again before any new pool is acquired.</summary>
    private readonly Stack<PoolRef> _released = new();

    private PoolRef? _current;

    public SizeClassPool(AllocationFamily family, int classIndex)
    {
        _family = family;
        _classIndex = classIndex;
        _stride = SizeClasses.Stride(classIndex);
        _capacity = Arena.PoolSize / _stride;
    }

    /// <summary>Empty pools kept mapped by every class together.</summary>
    internal static int RetainedEmptyPools => Volatile.Read(ref s_retainedEmptyPools);

    /// <summary>Takes up to <paramref name="count"/> free blocks as a linked list; returns its head and how many.</summary>
    public nint Take(int count, out int taken)
    {
        nint head = 0;
        int n = 0;
        lock (_lock)
        {
            while (n < count)
            {
                if (_partial.Count > 0)
                {
                    PoolRef pool = _partial[^1];
                    ref PoolInfo info = ref pool.Info;
                    while (n < count && info.FreeHead != 0)
                    {
                        nint block = info.FreeHead;
                        info.FreeHead = FreeList.Next(block);
                        FreeList.SetNext(block, head);
                        head = block;
                        n++;
                        info.FreeCount--;
                    }

                    // After FreeCount (release): a walk that read the old count, so took these blocks for the pool's
                    // own, finds the mark; one that reads the new count sees them missing from it (SiteWalk).
                    Volatile.Write(ref info.Changed, 1);

                    if (info.FreeCount == 0)
                    {
                        RemoveFromList(_partial, pool);
                    }
                }
                else if (_empty.Count > 0)
                {
                    // The most recently emptied: its pages are the likeliest still cached.
                    PoolRef pool = _empty[^1];
                    RemoveFromList(_empty, pool);
                    Volatile.Write(ref _emptyCount, _empty.Count);
                    Interlocked.Decrement(ref s_retainedEmptyPools);
                    AddToList(_partial, pool);
                }
                else
                {
                    nint block = CarveLocked();
                    FreeList.SetNext(block, head);
                    head = block;
                    n++;
                }
            }
        }

        taken = n;
        return head;
    }

    /// <summary>Takes back a list of <paramref name="count"/> free blocks starting at <paramref name="head"/>, each into its own pool.</summary>
    public void Give(nint head, int count)
    {
        lock (_lock)
        {
            // A spilled list mostly holds blocks of a few pools: find each pool's arena once per run of its blocks.
            Arena? arena = null;
            nint block = head;
            for (int i = 0; i < count; i++)
            {
                nint next = FreeList.Next(block);
                if (arena is null || (block & ~(nint)(Arena.Size - 1)) != arena.Base)
                {
                    arena = ArenaMap.Find(block) ?? throw new InvalidOperationException("A pooled block outside every arena.");
                }

                GiveLocked(new PoolRef(arena, (int)((block - arena.Base) >> Arena.PoolShift)), block);
                block = next;
            }
        }
    }

    private void GiveLocked(PoolRef pool, nint block)
    {
        ref PoolInfo info = ref pool.Info;
        FreeList.SetNext(block, info.FreeHead);
        info.FreeHead = block;
        info.FreeCount++;
        if (info.FreeCount == 1)
        {
            AddToList(_partial, pool);
        }
        else if (info.ListIndex >= 0 && info.ListIndex != _partial.Count - 1 && info.FreeCount != info.Carved)
        {
            // The pool last given to is taken from first: its blocks are the ones still in the cache (LIFO, as before).
            MoveToEnd(_partial, pool);
        }

        if (info.FreeCount == info.Carved && !IsCurrent(pool))
        {
            Emptied(pool);
        }
    }

    private bool IsCurrent(PoolRef pool) => _current is { } current && ReferenceEquals(current.Arena, pool.Arena) && current.Index == pool.Index;

    /// <summary>Every carved block of <paramref name="pool"/> (not being carved) is back: keep it mapped, for now.</summary>
    private void Emptied(PoolRef pool)
    {
        RemoveFromList(_partial, pool);
        pool.Info.EmptiedAt = Environment.TickCount64;
        int retained = Interlocked.Increment(ref s_retainedEmptyPools);
        AddToList(_empty, pool);
        Volatile.Write(ref _emptyCount, _empty.Count);
        if (SystemPages.CanRelease && retained > RetainedEmptyPoolLimit && _empty.Count > KeptPerClass)
        {
            PagePurger.Eligible(retained);
        }
    }

    /// <summary>Empty pools of this class beyond what it always keeps (read unlocked by the purger: a hint).</summary>
    internal int Excess => Math.Max(0, Volatile.Read(ref _emptyCount) - KeptPerClass);

    private int _emptyCount;

    /// <summary>
    /// Takes out up to <paramref name="wanted"/> of this class's oldest empty pools that have been empty since
    /// <paramref name="emptiedBy"/> or before (never its newest <see cref="KeptPerClass"/>), forgets their blocks and
    /// appends them to <paramref name="into"/>; their slots read as never carved from now on. The caller gives their
    /// pages back and returns them with <see cref="AddReleased"/>. Returns how many it took.
    /// </summary>
    internal int TakeAged(long emptiedBy, int wanted, List<PoolRef> into)
    {
        lock (_lock)
        {
            int eligible = _empty.Count - KeptPerClass;
            int taken = 0;
            int kept = 0;
            for (int i = 0; i < _empty.Count; i++)
            {
                PoolRef pool = _empty[i];
                ref PoolInfo info = ref pool.Info;
                if (taken < eligible && taken < wanted && info.EmptiedAt <= emptiedBy)
                {
                    Volatile.Write(ref info.Carved, 0);
                    Volatile.Write(ref info.Changed, 1);
                    info.FreeHead = 0;
                    info.FreeCount = 0;
                    info.ListIndex = -1;
                    into.Add(pool);
                    taken++;
                    continue;
                }

                // Compacted in order, so the list stays oldest first.
                info.ListIndex = kept;
                _empty[kept++] = pool;
            }

            _empty.RemoveRange(kept, _empty.Count - kept);
            Volatile.Write(ref _emptyCount, _empty.Count);
            Interlocked.Add(ref s_retainedEmptyPools, -taken);
            return taken;
        }
    }

    /// <summary>Takes back pools whose pages <see cref="PagePurger"/> gave back; they are carved again before any new pool.</summary>
    internal void AddReleased(List<PoolRef> pools, int start, int count)
    {
        lock (_lock)
        {
            for (int i = start; i < start + count; i++)
            {
                _released.Push(pools[i]);
            }
        }
    }

    private nint CarveLocked()
    {
        if (_current is not { } pool || pool.Info.Carved == _capacity)
        {
            if (_current is { } full && full.Info.FreeCount == full.Info.Carved)
            {
                // Its blocks all came back while it was being carved.
                _current = null;
                Emptied(full);
            }

            pool = NextPoolToCarve();
            _current = pool;
        }

        ref PoolInfo info = ref pool.Info;
        int carved = info.Carved;
        nint block = pool.Base + ((nint)carved * _stride);
        unsafe
        {
            *(BlockHeader*)block = new BlockHeader { Family = (byte)_family, State = BlockState.Fresh };
        }

        // Publish the slot only after its header is initialised: rundown and pointer checks read Carved unlocked.
        Volatile.Write(ref info.Carved, carved + 1);

        // After Carved (release), and unconditionally: a check first could read a stale 1 before the store of Carved is
        // visible while a walk clears the mark and reads the old count (no fence here, unlike the free's compare-exchange).
        // A walk whose clear came after this write sees the new count. The block is Fresh in a cache from here on, which
        // keeps the pool marked at every walk until the block is handed out.
        Volatile.Write(ref info.Changed, 1);

        if (carved + 1 > info.EverCarved)
        {
            info.EverCarved = carved + 1;
        }

        return block;
    }

    private PoolRef NextPoolToCarve()
    {
        if (_released.TryPop(out PoolRef released))
        {
            HeapFootprint.CountRecommit();
            return released;
        }

        (Arena arena, int index) = ArenaSet.AcquirePool(_family, _classIndex);
        return new PoolRef(arena, index);
    }

    private static void AddToList(List<PoolRef> list, PoolRef pool)
    {
        pool.Info.ListIndex = list.Count;
        list.Add(pool);
    }

    private static void MoveToEnd(List<PoolRef> list, PoolRef pool)
    {
        int at = pool.Info.ListIndex;
        int end = list.Count - 1;
        PoolRef last = list[end];
        list[at] = last;
        last.Info.ListIndex = at;
        list[end] = pool;
        pool.Info.ListIndex = end;
    }

    private static void RemoveFromList(List<PoolRef> list, PoolRef pool)
    {
        int at = pool.Info.ListIndex;
        PoolRef last = list[^1];
        list[at] = last;
        last.Info.ListIndex = at;
        list.RemoveAt(list.Count - 1);
        pool.Info.ListIndex = -1;
    }
}
