namespace LeakScope.Wire;

/// <summary>What the stack of a <c>StackSample</c> event (29) was taken at. Never renumber; 0 = unknown.</summary>
internal static class WireStackOperation
{
    public const byte Unknown = 0;

    /// <summary>An allocation (malloc, calloc, a pool block, an owner's storage): the id is the new block's.</summary>
    public const byte Allocate = 1;

    /// <summary>A realloc: the id is the new allocation's (the block the realloc call now owns).</summary>
    public const byte Reallocate = 2;

    /// <summary>A view acquired from an owner (a <c>NativeBuffer</c> view or pin): the id is the view's, the site its acquire call.</summary>
    public const byte AcquireView = 3;

    /// <summary>An owner created (<c>NativeArray</c>, <c>NativeBuffer</c>): the id is the owner's, the size its storage's, the site its creation.</summary>
    public const byte CreateOwner = 4;

    /// <summary>A resize refused because views were outstanding (<c>ResizeBlocked</c>): the id is the owner's, the site the resize call.</summary>
    public const byte RefuseResize = 5;
}
