using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// One block's reachability at a heap snapshot: <see cref="Reachability"/> null and a <see cref="Path"/> from a root
/// when the program still holds it (the finding kind <c>retained</c>), or why it is lost.
/// </summary>
public readonly record struct BlockVerdict(AllocationId Id, LeakReachability? Reachability, IReadOnlyList<string>? Path);
