namespace LeakScope.Tracer.Analysis;

/// <summary>
/// Why a leaked block is lost, from a reachability snapshot (<c>--reachability</c>; docs/reachability.md). JSON:
/// <c>unreferenced</c>, <c>indirect</c>, <c>held-by-garbage</c>, <c>interior</c>.
/// </summary>
public enum LeakReachability
{
    /// <summary>No pointer to it anywhere (memcheck "definitely lost", LSan "direct leak").</summary>
    Unreferenced = 1,

    /// <summary>Only other lost blocks point at it, e.g. a cycle (memcheck "indirectly lost", LSan "indirect leak").</summary>
    Indirect = 2,

    /// <summary>Only managed objects that are themselves unreachable point at it: the pointer dies with the next GC.</summary>
    HeldByGarbage = 3,

    /// <summary>Only pointers into its middle reach it (memcheck "possibly lost").</summary>
    Interior = 4,
}
