namespace LeakScope.Allocator.Tests;

/// <summary>Drives the garbage collector until a finalizer's effect is visible, a bounded number of times.</summary>
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

            Thread.Sleep(10);
        }

        Assert.Fail($"After {attempts} collections: {what} did not happen.");
    }
}
