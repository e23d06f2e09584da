using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator;

/// <summary>
/// The C family — <c>malloc</c>, <c>calloc</c>, <c>realloc</c>, <c>free</c> — with C semantics (as glibc implements
/// them: <c>Malloc(0)</c> returns a unique freeable block, <c>Realloc(p, 0)</c> frees and returns null), instrumented;
/// see docs/heaps.md.
/// Blocks must be freed by <see cref="Free"/>. Every block carries a header, so a <see cref="RawHeap"/>
/// pointer can never be handed to the C library's <c>free</c>; small blocks are therefore served from
/// LeakScope's own size-class pools (tagged Raw), large ones by the system allocator.
/// The caller-info parameters name the site that findings point at; leave them to the compiler.
/// </summary>
public static unsafe class RawHeap
{
    /// <summary>Allocates <paramref name="size"/> uninitialised bytes, 16-byte aligned; null when the memory cannot be had.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Malloc(nuint size, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        BlockEngine.Allocate(AllocationFamily.Raw, size, zero: false, file, line, member);

    /// <summary>Allocates <paramref name="count"/> × <paramref name="size"/> zeroed bytes; null when the product overflows or memory is short.</summary>
    public static void* Calloc(nuint count, nuint size, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        BlockEngine.AllocateArray(AllocationFamily.Raw, count, size, file, line, member);

    /// <summary>
    /// Resizes a block (C <c>realloc</c>, as glibc implements it). <c>Realloc(null, n)</c> allocates; <c>Realloc(p, 0)</c>
    /// frees <paramref name="pointer"/> and returns null (unlike <see cref="PoolHeap.Realloc"/>); on failure null is
    /// returned and <paramref name="pointer"/> stays valid.
    /// </summary>
    public static void* Realloc(void* pointer, nuint size, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        BlockEngine.Reallocate(AllocationFamily.Raw, pointer, size, file, line, member);

    /// <summary>Frees a block from <see cref="Malloc"/>, <see cref="Calloc"/> or <see cref="Realloc"/>. <c>Free(null)</c> does nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* pointer, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        BlockEngine.Free(AllocationFamily.Raw, pointer, file, line, member);
}
