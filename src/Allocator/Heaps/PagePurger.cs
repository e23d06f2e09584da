namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Gives back the pages of empty pools that stay empty: the deferred, coalesced purge behind
/// <see cref="SizeClassPool"/> (jemalloc's decay, mimalloc's delayed purge). Releasing a pool the moment it empties
/// made a program that frees a large structure and builds it again pay a system call per pool and a page fault per page
/// on the rebuild (<c>live1m</c>: 2–3× slower untraced); here an eligible pool is given back only after
/// <see cref="DelayMilliseconds"/> without reuse, by a background thread — the one thing that runs once a program has
/// gone idle and calls no allocator — in batches sorted by address, one <c>madvise</c> per run of adjacent pools. While
/// the eligible empty pools exceed <see cref="ImmediateLimit"/> (a program freeing faster than the delay), the oldest
/// go at the next pass whatever their age. The thread starts on the first eligible pool and sleeps, with no timer,
/// while there is none.
/// </summary>
internal static class PagePurger
{
    /// <summary>How long an eligible pool must stay empty before its pages go back.</summary>
    internal const int DelayMilliseconds = 1000;

    /// <summary>Retained empty pools (all classes) beyond which the purge does not wait for the delay (256 MiB).</summary>
    internal const int ImmediateLimit = 16384;

    /// <summary>What a purge brings the retained empty pools down to (three quarters of the limit): the hysteresis band.</summary>
    internal const int PurgeTarget = SizeClassPool.RetainedEmptyPoolLimit * 3 / 4;

    /// <summary>Time between passes while eligible pools wait for their delay.</summary>
    private const int PassMilliseconds = 250;

    private static readonly Lock s_startLock = new();

    /// <summary>Guards the flags below; the purge thread waits on it and passes pulse it.</summary>
    private static readonly object s_gate = new();
    private static Thread? s_thread;

    /// <summary>An eligible pool may be waiting: set by <see cref="Eligible"/>, cleared when a pass starts.</summary>
    private static bool s_pending;

    /// <summary>A pass is running.</summary>
    private static bool s_inPass;

    /// <summary>The thread waits on <see cref="s_gate"/> and may be pulsed (cleared by whoever pulses it).</summary>
    private static bool s_wakeable;

    private static long s_passes;

    /// <summary>Completed purge passes.</summary>
    internal static long Passes => Volatile.Read(ref s_passes);

    /// <summary>
    /// Called (only when a pool empties, under its class's lock) with the retained count once an emptied pool is
    /// eligible: wakes the thread if it sleeps with nothing to do, or at once when the retained total is past
    /// <see cref="ImmediateLimit"/>.
    /// </summary>
    internal static void Eligible(int retained)
    {
        if (s_thread is null)
        {
            Start();
        }

        lock (s_gate)
        {
            bool idle = !s_pending && !s_inPass;
            s_pending = true;
            if (s_wakeable && (idle || retained > ImmediateLimit))
            {
                s_wakeable = false;
                Monitor.PulseAll(s_gate);
            }
        }
    }

    /// <summary>
    /// Waits (bounded) until no empty pool is left eligible for the purge: every pool beyond the kept allowance has been
    /// given back. For tests and benchmarks, which wait for this event rather than for time. False on timeout.
    /// </summary>
    internal static bool WaitUntilSettled(TimeSpan bound)
    {
        long deadline = Environment.TickCount64 + (long)bound.TotalMilliseconds;
        lock (s_gate)
        {
            while (s_pending || s_inPass)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(s_gate, (int)Math.Min(left, int.MaxValue));
            }
        }

        return true;
    }

    private static void Start()
    {
        lock (s_startLock)
        {
            if (s_thread is null)
            {
                var thread = new Thread(Run) { IsBackground = true, Name = "LeakScope page purge" };
                thread.Start();
                s_thread = thread;
            }
        }
    }

    private static void Run()
    {
        var batch = new List<PoolRef>();
        bool waiting = false;
        while (true)
        {
            lock (s_gate)
            {
                if (waiting)
                {
                    // Eligible pools are still too young: look again after a while (or at once past the immediate limit).
                    s_wakeable = true;
                    Monitor.Wait(s_gate, PassMilliseconds);
                }

                while (!s_pending)
                {
                    s_wakeable = true;
                    Monitor.Wait(s_gate);
                }

                s_wakeable = false;
                s_pending = false;
                s_inPass = true;
            }

            waiting = Pass(batch);
            lock (s_gate)
            {
                s_inPass = false;
                s_pending |= waiting;
                s_passes++;
                Monitor.PulseAll(s_gate);
            }
        }
    }

    /// <summary>One pass: takes the aged eligible pools of every class, gives their pages back, returns them released.
    /// True when eligible pools remain (too young for now).</summary>
    private static bool Pass(List<PoolRef> batch)
    {
        int retained = SizeClassPool.RetainedEmptyPools;
        if (retained <= SizeClassPool.RetainedEmptyPoolLimit)
        {
            return false;
        }

        // Down to a quarter below the limit, not to it: a loop whose empties come and go by a few pools afterwards stays
        // under the limit instead of sending one old pool back each time it crosses it.
        int excess = retained - PurgeTarget;

        long now = Environment.TickCount64;
        long emptiedBy = SizeClassPool.RetainedEmptyPools > ImmediateLimit ? now : now - DelayMilliseconds;
        ReadOnlySpan<SizeClassPool> classes = SmallBlockPools.All;
        batch.Clear();
        var counts = new int[classes.Length];
        for (int c = 0; c < classes.Length && excess > 0; c++)
        {
            if (classes[c].Excess == 0)
            {
                continue;
            }

            int taken = classes[c].TakeAged(emptiedBy, excess, batch);
            counts[c] = taken;
            excess -= taken;
        }

        if (batch.Count > 0)
        {
            GiveBack(batch);
            int at = 0;
            for (int c = 0; c < classes.Length; c++)
            {
                if (counts[c] > 0)
                {
                    classes[c].AddReleased(batch, at, counts[c]);
                    at += counts[c];
                }
            }
        }

        if (SizeClassPool.RetainedEmptyPools <= SizeClassPool.RetainedEmptyPoolLimit)
        {
            return false;
        }

        foreach (SizeClassPool pool in classes)
        {
            if (pool.Excess > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gives back every pool of <paramref name="batch"/> (kept in class order), one call per run of adjacent pools.</summary>
    private static void GiveBack(List<PoolRef> batch)
    {
        var starts = new nint[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            starts[i] = batch[i].Base;
        }

        Array.Sort(starts);
        int run = 0;
        for (int i = 1; i <= starts.Length; i++)
        {
            if (i < starts.Length && starts[i] == starts[i - 1] + Arena.PoolSize)
            {
                continue;
            }

            int pools = i - run;
            SystemPages.Release(starts[run], (nuint)pools * Arena.PoolSize);
            HeapFootprint.CountRelease(pools);
            run = i;
        }
    }
}
