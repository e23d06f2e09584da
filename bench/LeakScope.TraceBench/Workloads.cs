using LeakScope.Allocator;

namespace LeakScope.TraceBench;

/// <summary>The same shapes as bench/native/workloads.c, on <see cref="PoolHeap"/>.</summary>
internal static unsafe class Workloads
{
    /// <summary>A single thread allocating and freeing 64-byte blocks.</summary>
    public static void Small(long iterations)
    {
        for (long i = 0; i < iterations; i++)
        {
            byte* p = (byte*)PoolHeap.Malloc(64);
            p[0] = 1;
            PoolHeap.Free(p);
        }
    }

    /// <summary>
    /// One thread allocating and freeing at once, the size varying 16–271 B on every call (a fixed pseudo-random sequence,
    /// the same as the untraced ratios' "mixed" loop in bench/LeakScope.Benchmarks).
    /// </summary>
    public static void Mixed(long iterations)
    {
        var random = new Random(20261202);
        var sizes = new nuint[4096];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = (nuint)random.Next(16, 272);
        }

        for (long i = 0; i < iterations; i++)
        {
            byte* p = (byte*)PoolHeap.Malloc(sizes[(int)i & 4095]);
            p[0] = 1;
            PoolHeap.Free(p);
        }
    }

    /// <summary>
    /// Mixed sizes (the same sequence as <see cref="Mixed"/>) through a window of 64 live blocks: each step frees the oldest
    /// and allocates one. No block is freed before the thread allocates again, so none folds: every operation is a record,
    /// as in a program whose blocks live a while.
    /// </summary>
    public static void MixedWindow(long iterations)
    {
        var random = new Random(20261202);
        var sizes = new nuint[4096];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = (nuint)random.Next(16, 272);
        }

        var window = new nint[64];
        for (long i = 0; i < iterations; i++)
        {
            int slot = (int)i & 63;
            if (window[slot] != 0)
            {
                PoolHeap.Free((void*)window[slot]);
            }

            byte* p = (byte*)PoolHeap.Malloc(sizes[(int)i & 4095]);
            p[0] = 1;
            window[slot] = (nint)p;
        }

        foreach (nint block in window)
        {
            PoolHeap.Free((void*)block);
        }
    }

    /// <summary>Build up <paramref name="count"/> (one million at scale ≥ 0.5) live blocks of 16..80 bytes, then free them all.</summary>
    public static void LiveMillion(long rounds, int count)
    {
        var blocks = new nint[count];
        for (long r = 0; r < rounds; r++)
        {
            for (int i = 0; i < count; i++)
            {
                byte* p = (byte*)PoolHeap.Malloc((nuint)(16 + (i & 63)));
                p[0] = 1;
                blocks[i] = (nint)p;
            }

            for (int i = 0; i < count; i++)
            {
                PoolHeap.Free((void*)blocks[i]);
            }
        }
    }

    /// <summary>Four threads in a ring: each allocates blocks and hands them to the next, which frees them.</summary>
    public static void CrossThread(long blocksPerThread)
    {
        const int threadCount = 4;
        var rings = new HandOffRing[threadCount];
        for (int i = 0; i < threadCount; i++)
        {
            rings[i] = new HandOffRing();
        }

        var threads = new Thread[threadCount];
        for (int t = 0; t < threadCount; t++)
        {
            HandOffRing output = rings[t];
            HandOffRing input = rings[(t + threadCount - 1) % threadCount];
            threads[t] = new Thread(() => Run(output, input, blocksPerThread));
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }
    }

    private static void Run(HandOffRing output, HandOffRing input, long blocks)
    {
        long produced = 0;
        long consumed = 0;
        while (produced < blocks || consumed < blocks)
        {
            bool progressed = false;
            if (produced < blocks && output.HasRoom)
            {
                byte* p = (byte*)PoolHeap.Malloc((nuint)(32 + (produced & 31)));
                p[0] = 1;
                output.Push((nint)p);
                produced++;
                progressed = true;
            }

            if (consumed < blocks && input.TryPop(out nint block))
            {
                PoolHeap.Free((void*)block);
                consumed++;
                progressed = true;
            }

            if (!progressed)
            {
                Thread.Yield();
            }
        }
    }

    /// <summary>A single-producer, single-consumer ring of block pointers.</summary>
    private sealed class HandOffRing
    {
        private const int Size = 1024;
        private readonly nint[] _slots = new nint[Size];
        private long _head;
        private long _tail;

        /// <summary>Producer side only.</summary>
        public bool HasRoom => _head - Volatile.Read(ref _tail) < Size;

        /// <summary>Producer side only, after <see cref="HasRoom"/>.</summary>
        public void Push(nint block)
        {
            long head = _head;
            _slots[head % Size] = block;
            Volatile.Write(ref _head, head + 1);
        }

        public bool TryPop(out nint block)
        {
            long tail = _tail;
            if (tail >= Volatile.Read(ref _head))
            {
                block = 0;
                return false;
            }

            block = _slots[tail % Size];
            Volatile.Write(ref _tail, tail + 1);
            return true;
        }
    }
}
