using System.Collections.Concurrent;
using LeakScope.Allocator;

namespace LeakScope.TraceBench;

/// <summary>
/// Shapes the end-to-end tests trace to prove that the high-rate mode loses nothing: folding with leaks in between,
/// threads that exit with records still in their buffers, and a program that frees its last blocks just before it exits.
/// Every leak is made at a line marked <c>// LEAK:name</c> so the tests can name the site.
/// </summary>
internal static unsafe class TestWorkloads
{
    /// <summary>A single-thread 64 B alloc/free loop (folded in the high-rate mode) that leaks one 48 B raw block every 1000 turns.</summary>
    public static void FoldWithLeaks(long iterations)
    {
        for (long i = 0; i < iterations; i++)
        {
            byte* p = (byte*)PoolHeap.Malloc(64);
            p[0] = 1;
            if (i % 1000 == 999)
            {
                RawHeap.Malloc(48); // LEAK:fold-leak
            }

            PoolHeap.Free(p);
        }
    }

    /// <summary>
    /// <paramref name="threads"/> short-lived threads, two at a time: each allocates 2000 blocks of both families, frees
    /// 1500 of them itself (some alloc/free pairs fold), hands 400 to the main thread, leaks 100, and exits at once with
    /// its last records unpublished. The main thread frees the handed blocks after the threads are gone.
    /// </summary>
    public static void ThreadExits(int threads)
    {
        var handed = new ConcurrentQueue<(nint Block, bool Raw)>();
        for (int wave = 0; wave < threads; wave += 2)
        {
            var running = new List<Thread>();
            for (int t = wave; t < Math.Min(threads, wave + 2); t++)
            {
                int seed = t;
                var thread = new Thread(() => ShortLived(seed, handed));
                thread.Start();
                running.Add(thread);
            }

            foreach (Thread thread in running)
            {
                thread.Join();
            }
        }

        while (handed.TryDequeue(out (nint Block, bool Raw) item))
        {
            if (item.Raw)
            {
                RawHeap.Free((void*)item.Block);
            }
            else
            {
                PoolHeap.Free((void*)item.Block);
            }
        }
    }

    private static void ShortLived(int seed, ConcurrentQueue<(nint, bool)> handed)
    {
        var mine = new List<(nint Block, bool Raw)>(2000);
        for (int i = 0; i < 2000; i++)
        {
            bool raw = ((i + seed) & 3) == 0;
            nuint size = (nuint)(16 + ((i * 7 + seed) % 700));
            nint block = raw ? (nint)RawHeap.Malloc(size) : (nint)PoolHeap.Malloc(size);
            if (i % 8 == 0)
            {
                // Freed at once: the pair folds.
                if (raw)
                {
                    RawHeap.Free((void*)block);
                }
                else
                {
                    PoolHeap.Free((void*)block);
                }

                continue;
            }

            mine.Add((block, raw));
        }

        // 1750 kept: free 1250, hand 400 to the main thread, leak 100.
        for (int i = 0; i < mine.Count; i++)
        {
            (nint block, bool raw) = mine[i];
            if (i < 1250)
            {
                if (raw)
                {
                    RawHeap.Free((void*)block);
                }
                else
                {
                    PoolHeap.Free((void*)block);
                }
            }
            else if (i < 1650)
            {
                handed.Enqueue((block, raw));
            }
        }

        byte* last = (byte*)PoolHeap.Malloc(24); // LEAK:thread-exit-leak
        last[0] = 1;
    }

    /// <summary>Allocates blocks, lets heartbeats publish them, then frees them all and returns at once: only the exit file carries the frees.</summary>
    public static void FreeAtExit(int count)
    {
        var blocks = new nint[count];
        for (int i = 0; i < count; i++)
        {
            blocks[i] = (nint)PoolHeap.Malloc((nuint)(32 + (i % 200)));
        }

        Thread.Sleep(300);
        for (int i = 0; i < count; i++)
        {
            PoolHeap.Free((void*)blocks[i]);
        }
    }
}
