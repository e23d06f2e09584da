namespace LeakScope.Samples;

/// <summary>What LeakyService does on each tick: one leak every tick, the other four bugs every 10th tick.</summary>
internal static class Service
{
    public const int TickMilliseconds = 100;

    /// <summary>The other bugs run on ticks 0, 10, 20, …; the garbage collector is forced on ticks 5, 15, 25, ….</summary>
    public const int BugPeriod = 10;

    public static void Tick(PlantedBugs bugs, long tick)
    {
        bugs.LeakPerTick(tick); // CALL:leak
        switch (tick % BugPeriod)
        {
            case 0:
                bugs.MismatchedFree();
                bugs.ResizeWhileViewed();
                bugs.LeakView(tick);
                bugs.AbandonOwner(tick);
                break;

            case BugPeriod / 2:
                // Finalizer bugs (BUG 4, BUG 5) surface only when a collection runs: make it happen.
                CollectGarbage();
                break;

            case BugPeriod - 1:
                Console.WriteLine($"tick {tick + 1}: {LeakScope.Allocator.HeapStats.Capture()}");
                break;
        }
    }

    public static void CollectGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
