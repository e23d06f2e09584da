using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// The one block observer behind every open <see cref="LeakGateScope"/>: registered with
/// <see cref="Instrumentation"/> while at least one scope is open. Allocations go to the scopes current on the
/// allocating flow (an <see cref="AsyncLocal{T}"/>); frees, from any thread, to every open scope.
/// </summary>
internal sealed class LeakGateObserver : IBlockObserver
{
    private static readonly LeakGateObserver s_instance = new();
    private static readonly AsyncLocal<LeakGateScope?> s_current = new();
    private static readonly Lock s_lock = new();
    private static LeakGateScope[] s_open = [];

    private LeakGateObserver()
    {
    }

    public static LeakGateScope Open(string file, int line, string member)
    {
        var scope = new LeakGateScope(Current, new SiteInfo(file, line, member));
        lock (s_lock)
        {
            s_open = [.. s_open, scope];
            if (s_open.Length == 1)
            {
                Instrumentation.AddObserver(s_instance);
            }
        }

        s_current.Value = scope;
        return scope;
    }

    public static void Close(LeakGateScope scope)
    {
        lock (s_lock)
        {
            s_open = Array.FindAll(s_open, s => !ReferenceEquals(s, scope));
            if (s_open.Length == 0)
            {
                Instrumentation.RemoveObserver(s_instance);
            }
        }

        if (ReferenceEquals(s_current.Value, scope))
        {
            s_current.Value = Current;
        }
    }

    /// <summary>The innermost open scope of the calling flow.</summary>
    private static LeakGateScope? Current
    {
        get
        {
            LeakGateScope? scope = s_current.Value;
            while (scope is not null && !scope.IsOpen)
            {
                scope = scope.Parent;
            }

            return scope;
        }
    }

    public void OnAllocated(in LiveBlock block)
    {
        for (LeakGateScope? scope = s_current.Value; scope is not null; scope = scope.Parent)
        {
            if (scope.IsOpen)
            {
                scope.Track(block);
            }
        }
    }

    public void OnFreed(long allocationId)
    {
        foreach (LeakGateScope scope in Volatile.Read(ref s_open))
        {
            scope.Untrack(allocationId);
        }
    }

    public void OnReallocated(long oldAllocationId, in LiveBlock block)
    {
        foreach (LeakGateScope scope in Volatile.Read(ref s_open))
        {
            if (scope.Untrack(oldAllocationId))
            {
                scope.Track(block);
            }
        }
    }
}
