using System.Runtime.CompilerServices;
using LeakScope.Allocator.Heaps;

namespace LeakScope.Allocator;

/// <summary>
/// The PyMem family (<c>PyMem_Malloc</c>, <c>PyMem_Calloc</c>, <c>PyMem_Realloc</c>, <c>PyMem_Free</c>), instrumented,
/// with PyMem's semantics: a request of 0 bytes — <c>Malloc(0)</c>, <c>Calloc(0, n)</c>, <c>Calloc(n, 0)</c>,
/// <c>Realloc(p, 0)</c>, <c>Realloc(null, 0)</c> — returns a valid, distinct, non-null block that must be freed like
/// any other; null always means failure (and a failed <see cref="Realloc"/> leaves its block valid). Code ported from
/// CPython that treats null as failure is therefore correct here. <see cref="RawHeap"/> keeps C semantics instead.
/// Blocks must be freed by <see cref="Free"/>. Requests up to 512 bytes come from per-thread caches over
/// size-class pools carved out of 1 MiB arenas (CPython's obmalloc design, without the GIL); larger ones
/// fall through to the system allocator. Thread-safe; see docs/heaps.md.
/// The caller-info parameters name the site that findings point at; leave them to the compiler.
/// </summary>
public static unsafe class PoolHeap
{
    /// <summary>Allocates <paramref name="size"/> uninitialised bytes, 16-byte aligned; null when the memory cannot be had. <c>Malloc(0)</c> returns a valid non-null block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Malloc(nuint size, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        BlockEngine.Allocate(AllocationFamily.Pool, size, zero: false, file, line, member);

    /// <summary>Allocates <paramref name="count"/> × <paramref name="size"/> zeroed bytes; null when the product overflows or memory is short. A product of 0 returns a valid non-null block.</summary>
    public static void* Calloc(nuint count, nuint size, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        BlockEngine.AllocateArray(AllocationFamily.Pool, count, size, file, line, member);

    /// <summary>
    /// Resizes a block (<c>PyMem_Realloc</c>). <c>Realloc(null, n)</c> allocates (also for n = 0); <c>Realloc(p, 0)</c>
    /// resizes to a valid non-null block of 0 bytes and does <b>not</b> free it; on failure null is returned and
    /// <paramref name="pointer"/> stays valid.
    /// </summary>
    public static void* Realloc(void* pointer, nuint size, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        BlockEngine.Reallocate(AllocationFamily.Pool, pointer, size, file, line, member);

    /// <summary>Frees a block from <see cref="Malloc"/>, <see cref="Calloc"/> or <see cref="Realloc"/>. <c>Free(null)</c> does nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* pointer, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        BlockEngine.Free(AllocationFamily.Pool, pointer, file, line, member);
}
