using LeakScope.Allocator;

namespace LeakScope.ChildTarget;

/// <summary>The target's one use of LeakScope.Allocator, in its own type so that without --leak the assembly is never loaded.</summary>
internal static unsafe class Leaks
{
    public static void LeakOne(nuint bytes) => RawHeap.Malloc(bytes); // LEAK:childtarget
}
