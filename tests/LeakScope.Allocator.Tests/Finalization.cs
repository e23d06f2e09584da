namespace LeakScope.Allocator.Tests;

/// <summary>
/// Drives the garbage collector until a finalizer's effect is visible, a bounded number of times. The effect is
/// synchronous (a finalizer releases a view or publishes an event on the finalizer thread, which
/// <see cref="GC.WaitForPendingFinalizers"/> waits for): each collection is the event, no pause between them helps.
/// </summary>
internal static class Finalization
{
    public static void CollectUntil(Func<bool> condition, string what, int attempts = 20)
    {
        for (int i = 0; i < attempts; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (condition())
            {
                return;
            }
        }

        Assert.Fail($"After {attempts} collections: {what} did not happen.");
    }
}
