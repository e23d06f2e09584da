namespace LeakScope.Wire;

/// <summary>What the stack of a <c>StackSample</c> event (29) was taken at. Never renumber; 0 = unknown.</summary>
internal static class WireStackOperation
{
    public const byte Unknown = 0;

    /// <summary>An allocation (malloc, calloc, a pool block, an owner's storage): the id is the new block's.</summary>
    public const byte Allocate = 1;

    /// <summary>A realloc: the id is the new allocation's (the block the realloc call now owns).</summary>
    public const byte Reallocate = 2;
}
