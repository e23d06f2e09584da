using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>Intrusive singly-linked lists of free small blocks; the link sits in the first user bytes, after the header.</summary>
internal static unsafe class FreeList
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Next(nint block) => *(nint*)(block + SizeClasses.HeaderSize);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetNext(nint block, nint next) => *(nint*)(block + SizeClasses.HeaderSize) = next;
}
