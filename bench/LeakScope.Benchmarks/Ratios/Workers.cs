using LeakScope.Bench.Shared;

namespace LeakScope.Benchmarks.Ratios;

/// <summary>Multi-threaded shapes: independent threads, and one producer whose blocks a consumer frees.</summary>
internal static unsafe class Workers
{
    /// <summary>
    /// <paramref name="threads"/> threads each run the mixed-size ring for <paramref name="pairsPerThread"/> steps, started
    /// together; returns the threads' CPU nanoseconds per alloc/free pair, so a heap whose threads do not slow each other
    /// down (no shared lock, no shared cache line) costs the same per pair at 1, 2 and 4 threads.
    /// </summary>
    public static double Independent<THeap>(int threads, long pairsPerThread)
        where THeap : struct, IHeap
    {
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        double cpu = 0;
        var gate = new object();
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                Loops.MixedRing<THeap>(1000, 64); // this thread's caches warm
                start.SignalAndWait();
                double begin = ThreadClock.NowNanoseconds();
                Loops.MixedRing<THeap>(pairsPerThread, 64);
                double spent = ThreadClock.NowNanoseconds() - begin;
                lock (gate)
                {
                    cpu += spent;
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        return cpu / (threads * (double)pairsPerThread);
    }

    /// <summary>
    /// One thread allocates mixed sizes in batches of 1024, another frees each batch: CPU ns per block, the producer's
    /// allocations plus the consumer's frees (the hand-over between them is not timed).
    /// </summary>
    public static double ProducerConsumer<THeap>(long blocks)
        where THeap : struct, IHeap
    {
        const int Batch = 1024;
        using var full = new System.Collections.Concurrent.BlockingCollection<nint[]>(4);
        using var empty = new System.Collections.Concurrent.BlockingCollection<nint[]>(8);
        for (int i = 0; i < 6; i++)
        {
            empty.Add(new nint[Batch]);
        }

        long batches = blocks / Batch;
        nuint[] sizes = Loops.MixedSizes;
        double freeCpu = 0;
        var consumer = new Thread(() =>
        {
            for (long b = 0; b < batches; b++)
            {
                nint[] batch = full.Take();
                double begin = ThreadClock.NowNanoseconds();
                for (int i = 0; i < batch.Length; i++)
                {
                    THeap.Free((void*)batch[i]);
                }

                freeCpu += ThreadClock.NowNanoseconds() - begin;
                empty.Add(batch);
            }
        });
        consumer.Start();
        double allocCpu = 0;
        int k = 0;
        for (long b = 0; b < batches; b++)
        {
            nint[] batch = empty.Take();
            double begin = ThreadClock.NowNanoseconds();
            for (int i = 0; i < batch.Length; i++)
            {
                batch[i] = (nint)THeap.Alloc(sizes[k++ & Loops.SizeMask]);
            }

            allocCpu += ThreadClock.NowNanoseconds() - begin;
            full.Add(batch);
        }

        consumer.Join();
        return (allocCpu + freeCpu) / (batches * Batch);
    }
}
