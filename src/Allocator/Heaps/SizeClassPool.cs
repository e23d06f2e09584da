namespace LeakScope.Allocator.Heaps;

/// <summary>
/// The shared store behind every thread's cache for one (family, size class): blocks handed back by
/// threads, plus the pool currently being carved. Threads come here only to refill or spill a cache,
/// a batch at a time, so the lock is rarely taken.
/// </summary>
internal sealed unsafe class SizeClassPool
{
    private readonly Lock _lock = new();
    private readonly AllocationFamily _family;
    private readonly int _classIndex;
    private readonly int _stride;
    private nint _freeHead;
    private Arena? _arena;
    private int _poolIndex;
    private int _carved;
    private int _capacity;

    public SizeClassPool(AllocationFamily family, int classIndex)
    {
        _family = family;
        _classIndex = classIndex;
        _stride = SizeClasses.Stride(classIndex);
    }

    /// <summary>Takes up to <paramref name="count"/> free blocks as a linked list; returns its head and how many.</summary>
    public nint Take(int count, out int taken)
    {
        nint head = 0;
        int n = 0;
        lock (_lock)
        {
            while (n < count && _freeHead != 0)
            {
                nint block = _freeHead;
                _freeHead = FreeList.Next(block);
                FreeList.SetNext(block, head);
                head = block;
                n++;
            }

            while (n < count)
            {
                nint block = CarveLocked();
                FreeList.SetNext(block, head);
                head = block;
                n++;
            }
        }

        taken = n;
        return head;
    }

    /// <summary>Splices a list of free blocks (head … tail) back into the shared store.</summary>
    public void Give(nint head, nint tail)
    {
        lock (_lock)
        {
            FreeList.SetNext(tail, _freeHead);
            _freeHead = head;
        }
    }

    private nint CarveLocked()
    {
        if (_arena is null || _carved == _capacity)
        {
            (_arena, _poolIndex) = ArenaSet.AcquirePool(_family, _classIndex);
            _carved = 0;
            _capacity = Arena.PoolSize / _stride;
        }

        nint block = _arena.PoolBase(_poolIndex) + ((nint)_carved * _stride);
        var header = (BlockHeader*)block;
        *header = new BlockHeader { Family = (byte)_family, State = BlockState.Fresh };
        _carved++;

        // Publish the slot only after its header is initialised: rundown and pointer checks read Carved unlocked.
        Volatile.Write(ref _arena.Pools[_poolIndex].Carved, _carved);
        return block;
    }
}
