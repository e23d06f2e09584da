using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;
using LeakScope.Allocator.Diagnostics.Batching;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Everything a thread touches on the allocator's hot path: its free-block caches per family and size
/// class (tcache-style), its range of allocation ids, its counters. Nothing here
/// is shared on the fast path, so allocation and free need no atomic instruction. Blocks freed on
/// another thread simply join that thread's cache. When a thread exits, its cached blocks go back to
/// the shared pools and its counters fold into the retired totals.
/// </summary>
internal sealed unsafe class ThreadHeap : IAllocationIdSource
{
    /// <summary>How many allocation ids a thread reserves at once (one atomic add per range).</summary>
    private const long IdRangeSize = 4096;

    /// <summary>A per-class cache above this many free blocks hands half of them back to the shared pool.</summary>
    internal const int MaxCachedBlocks = 64;

    private static readonly Lock s_registryLock = new();
    private static readonly List<ThreadHeap> s_heaps = new();
    private static readonly FamilyCounters[] s_retired = new FamilyCounters[FamilySlots.Count];
    private static long s_nextIdRange;

    [ThreadStatic]
    private static ThreadHeap? t_current;

    private readonly Thread _owner;
    private long _nextId;
    private long _idLimit;

    /// <summary>One free-block cache per (family, size class), indexed by <see cref="FamilySlots.PoolSlot"/>.
    /// Stored inline, like the counters, so the hot path reaches them without loading an array first.</summary>
    private CacheBins _bins;

    /// <summary>Indexed by <c>(int)AllocationFamily</c>; written only by the owning thread.</summary>
    private FamilyCounterSet _counters;

    /// <summary>The process-wide site table (lock-free once a site is seen; kept here for existing callers).</summary>
    internal SiteCache Sites => SiteCache.Shared;

    private BatchWriter? _batchWriter;

    /// <summary>This thread's state of the sampled stack mode (<see cref="StackSampler"/>): bytes to the next sample, its generator.</summary>
    internal StackSampleState StackSampling;

    /// <summary>This thread's high-rate record buffer, created on first use.</summary>
    internal BatchWriter BatchWriter
    {
        // Read on every traced operation: the creation is kept out of line so that the read inlines (with the allocation
        // in it the JIT called the getter, at Tier-0 for a while in traced runs under load).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _batchWriter ?? CreateBatchWriter();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private BatchWriter CreateBatchWriter() => _batchWriter = new BatchWriter(BatchingSession.Shared, this);

    /// <summary>The next id this thread hands out; a rundown's walk raises its writer's fold floor to it.</summary>
    long IAllocationIdSource.NextId => Volatile.Read(ref _nextId);

    private ThreadHeap(Thread owner) => _owner = owner;

    public static ThreadHeap Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? Register();
    }

    /// <summary>The cache for a pool slot. Unchecked: slots come from <see cref="FamilySlots.PoolSlot"/> of an owning family.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref CacheBin Bin(int slot) => ref Unsafe.Add(ref Unsafe.As<CacheBins, CacheBin>(ref _bins), slot);

    /// <summary>The counters of a family. Unchecked: callers pass a family value read from a block or an API entry point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref FamilyCounters CountersFor(AllocationFamily family) => ref Unsafe.Add(ref Unsafe.As<FamilyCounterSet, FamilyCounters>(ref _counters), (int)family);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long NextAllocationId()
    {
        if (_nextId == _idLimit)
        {
            ReserveIds();
        }

        return _nextId++;
    }

    private void ReserveIds()
    {
        // Ids start at 1 so that 0 can mean "no block" on the wire.
        long start = Interlocked.Add(ref s_nextIdRange, IdRangeSize) - IdRangeSize + 1;
        _nextId = start;
        _idLimit = start + IdRangeSize;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ThreadHeap Register()
    {
        // Touch the event source and the meter so that a session or listener attached before the
        // first allocation is honoured from that allocation on.
        _ = AllocatorEventSource.Log;
        AllocatorMeter.EnsureCreated();

        var heap = new ThreadHeap(Thread.CurrentThread);
        lock (s_registryLock)
        {
            ReclaimExitedLocked();
            s_heaps.Add(heap);
        }

        t_current = heap;
        return heap;
    }

    /// <summary>Adds every thread's counters (live and exited) into <paramref name="totals"/>.</summary>
    public static void SumCounters(Span<FamilyCounters> totals)
    {
        lock (s_registryLock)
        {
            ReclaimExitedLocked();
            for (int f = 0; f < FamilySlots.Count; f++)
            {
                totals[f].Add(s_retired[f]);
            }

            foreach (ThreadHeap heap in s_heaps)
            {
                for (int f = 0; f < FamilySlots.Count; f++)
                {
                    totals[f].Add(heap._counters[f].ReadVolatile());
                }
            }
        }
    }

    /// <summary>
    /// At process exit: appends the calling thread's folded counters, and moves into its writer those of the thread
    /// that ran <c>Main</c> (managed id 1), which waits in the runtime's shutdown while the exit handlers run — so the
    /// cumulative totals of their sites are complete. Exited threads' counters are published when their heaps are
    /// reclaimed; background threads may still be running and keep theirs (docs/batch-format.md).
    /// </summary>
    public static void FlushFoldsAtExit()
    {
        BatchWriter mine = Current.BatchWriter;
        mine.FlushFoldsOfThisSession();
        lock (s_registryLock)
        {
            foreach (ThreadHeap heap in s_heaps)
            {
                if (heap._batchWriter is { } writer && heap._owner.ManagedThreadId == MainThreadId && heap._owner.IsAlive)
                {
                    writer.MoveFoldsAtExit(mine);
                }
            }
        }
    }

    /// <summary>The managed id of the thread that runs <c>Main</c>.</summary>
    private const int MainThreadId = 1;

    /// <summary>Returns the caches of exited threads to the shared pools and retires their counters.</summary>
    public static void ReclaimExited()
    {
        lock (s_registryLock)
        {
            ReclaimExitedLocked();
        }
    }

    private static void ReclaimExitedLocked()
    {
        for (int i = s_heaps.Count - 1; i >= 0; i--)
        {
            ThreadHeap heap = s_heaps[i];
            if (heap._owner.IsAlive)
            {
                continue;
            }

            // The owner is gone, so nothing else writes these fields any more.
            for (int f = 0; f < FamilySlots.Count; f++)
            {
                s_retired[f].Add(heap._counters[f]);
            }

            heap.ReturnAllCachedBlocks();
            heap._batchWriter?.RetireFromExitedOwner();
            s_heaps.RemoveAt(i);
        }
    }

    private void ReturnAllCachedBlocks()
    {
        for (int slot = 0; slot < CacheBins.Length; slot++)
        {
            ref CacheBin bin = ref _bins[slot];
            if (bin.Head != 0)
            {
                SmallBlockPools.ReturnList(slot, bin.Head, bin.Count);
                bin = default;
            }
        }
    }
}

/// <summary>A thread's cache of free blocks for one (family, size class): an intrusive list and its length.</summary>
internal struct CacheBin
{
    public nint Head;
    public int Count;
}

/// <summary>A thread's <see cref="CacheBin"/>s, one per (family, size class), inline in its <see cref="ThreadHeap"/>.</summary>
[InlineArray(Length)]
internal struct CacheBins
{
    public const int Length = FamilySlots.Owning * SizeClasses.Count;

    private CacheBin _first;
}

/// <summary>A thread's <see cref="FamilyCounters"/>, indexed by <c>(int)AllocationFamily</c>, inline in its <see cref="ThreadHeap"/>.</summary>
[InlineArray(FamilySlots.Count)]
internal struct FamilyCounterSet
{
    private FamilyCounters _first;
}
