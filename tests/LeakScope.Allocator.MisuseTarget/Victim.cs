namespace LeakScope.Allocator.MisuseTarget;

/// <summary>
/// What a scenario arranged before its misuse: a block from a LeakScope heap (live or already freed),
/// and memory from outside the allocator that the scenario owns and must give back itself.
/// Either is 0 when the scenario has none.
/// </summary>
public readonly record struct Victim(nint Block, nint Foreign);
