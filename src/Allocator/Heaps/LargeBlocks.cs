using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Blocks above <see cref="SizeClasses.MaxSmallSize"/> come straight from the system allocator and are
/// tracked here by address. The registry lets a free tell a live large block from a pointer the
/// allocator never handed out without reading memory it does not own, and a bounded record of the last
/// <see cref="RecentlyFreedCapacity"/> frees tells a double free from an invalid one. The system
/// allocator hands a freed address straight back, so one address is freed again and again: each free is
/// numbered, and evicting an old free removes an address's record only if no later free renewed it.
/// </summary>
internal static unsafe class LargeBlocks
{
    private const int RecentlyFreedCapacity = 4096;

    private static readonly Lock s_lock = new();
    private static readonly Dictionary<nint, LargeBlock> s_live = new();
    private static readonly Dictionary<nint, FreedBlock> s_recentlyFreed = new();
    private static readonly Queue<(nint Address, long Sequence)> s_freedOrder = new();
    private static long s_freeSequence;

    public static void* Allocate(ThreadHeap heap, AllocationFamily family, nuint size, bool zero, int siteId, out long allocationId)
    {
        void* pointer;
        try
        {
            pointer = zero ? NativeMemory.AllocZeroed(size) : NativeMemory.Alloc(size);
        }
        catch (OutOfMemoryException)
        {
            allocationId = 0;
            return null;
        }

        allocationId = heap.NextAllocationId();
        lock (s_lock)
        {
            s_live[(nint)pointer] = new LargeBlock(allocationId, size, siteId, family);
            s_recentlyFreed.Remove((nint)pointer);
        }

        ref FamilyCounters counters = ref heap.CountersFor(family);
        counters.LiveBytes += (long)size;
        counters.Allocations++;
        return pointer;
    }

    public static bool TryGetLive(nint pointer, out LargeBlock block)
    {
        lock (s_lock)
        {
            return s_live.TryGetValue(pointer, out block);
        }
    }

    public static bool TryGetRecentlyFreed(nint pointer, out LargeBlock block)
    {
        lock (s_lock)
        {
            bool found = s_recentlyFreed.TryGetValue(pointer, out FreedBlock freed);
            block = freed.Block;
            return found;
        }
    }

    /// <summary>Frees a block found by <see cref="TryGetLive"/>; false when another thread freed it first.</summary>
    public static bool Release(ThreadHeap heap, nint pointer)
    {
        LargeBlock block;
        lock (s_lock)
        {
            if (!s_live.Remove(pointer, out block))
            {
                return false;
            }

            long sequence = ++s_freeSequence;
            s_recentlyFreed[pointer] = new FreedBlock(block, sequence);
            s_freedOrder.Enqueue((pointer, sequence));
            while (s_freedOrder.Count > RecentlyFreedCapacity)
            {
                (nint oldAddress, long oldSequence) = s_freedOrder.Dequeue();
                if (s_recentlyFreed.TryGetValue(oldAddress, out FreedBlock record) && record.Sequence == oldSequence)
                {
                    s_recentlyFreed.Remove(oldAddress);
                }
            }
        }

        NativeMemory.Free((void*)pointer);
        ref FamilyCounters counters = ref heap.CountersFor(block.Family);
        counters.LiveBytes -= (long)block.Size;
        counters.Frees++;
        return true;
    }

    /// <summary>A copy of every live large block, for rundown and leak gates.</summary>
    public static KeyValuePair<nint, LargeBlock>[] SnapshotLive()
    {
        lock (s_lock)
        {
            return s_live.ToArray();
        }
    }
}

internal readonly record struct LargeBlock(long AllocationId, nuint Size, int SiteId, AllocationFamily Family);

/// <summary>A large block's last free, numbered so that only the newest free of an address keeps its record.</summary>
internal readonly record struct FreedBlock(LargeBlock Block, long Sequence);
