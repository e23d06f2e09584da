using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LeakScope.Allocator.Tracked;

namespace LeakScope.Allocator;

/// <summary>
/// <see cref="NativeMemory"/>, tracked: every member calls the real <see cref="NativeMemory"/> function and returns the
/// real system block (no header in front, so native code may keep or free it), and records the block beside it — family
/// <see cref="AllocationFamily.Native"/> for <c>Alloc</c> / <c>AllocZeroed</c> / <c>Realloc</c> / <c>Free</c>,
/// <see cref="AllocationFamily.Aligned"/> for the <c>Aligned…</c> members. A free through the other family is a
/// mismatched free, a second free a double free that never reaches the system (under <see cref="MisusePolicy.Report"/>),
/// and a pointer LeakScope never saw is passed to the system and is not a finding (docs/interception.md).
/// With <c>&lt;LeakScopeIntercept&gt;true&lt;/LeakScopeIntercept&gt;</c> the package's source generator routes a project's
/// own <see cref="NativeMemory"/> calls here; calling these members directly works the same.
/// </summary>
public static unsafe class TrackedNativeMemory
{
    /// <inheritdoc cref="NativeMemory.Alloc(nuint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint byteCount, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        (void*)TrackedHeap.Track(AllocationFamily.Native, (nint)NativeMemory.Alloc(byteCount), byteCount, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.Alloc(nuint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint byteCount, TrackedSite site) =>
        (void*)TrackedHeap.Track(AllocationFamily.Native, (nint)NativeMemory.Alloc(byteCount), byteCount, new SiteObject(site));

    /// <inheritdoc cref="NativeMemory.Alloc(nuint, nuint)"/>
    public static void* Alloc(nuint elementCount, nuint elementSize, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        (void*)TrackedHeap.Track(AllocationFamily.Native, (nint)NativeMemory.Alloc(elementCount, elementSize), elementCount * elementSize, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.Alloc(nuint, nuint)"/>
    public static void* Alloc(nuint elementCount, nuint elementSize, TrackedSite site) =>
        (void*)TrackedHeap.Track(AllocationFamily.Native, (nint)NativeMemory.Alloc(elementCount, elementSize), elementCount * elementSize, new SiteObject(site));

    /// <inheritdoc cref="NativeMemory.AllocZeroed(nuint)"/>
    public static void* AllocZeroed(nuint byteCount, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        (void*)TrackedHeap.Track(AllocationFamily.Native, (nint)NativeMemory.AllocZeroed(byteCount), byteCount, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.AllocZeroed(nuint)"/>
    public static void* AllocZeroed(nuint byteCount, TrackedSite site) =>
        (void*)TrackedHeap.Track(AllocationFamily.Native, (nint)NativeMemory.AllocZeroed(byteCount), byteCount, new SiteObject(site));

    /// <inheritdoc cref="NativeMemory.AllocZeroed(nuint, nuint)"/>
    public static void* AllocZeroed(nuint elementCount, nuint elementSize, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        (void*)TrackedHeap.Track(AllocationFamily.Native, (nint)NativeMemory.AllocZeroed(elementCount, elementSize), elementCount * elementSize, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.AllocZeroed(nuint, nuint)"/>
    public static void* AllocZeroed(nuint elementCount, nuint elementSize, TrackedSite site) =>
        (void*)TrackedHeap.Track(AllocationFamily.Native, (nint)NativeMemory.AllocZeroed(elementCount, elementSize), elementCount * elementSize, new SiteObject(site));

    /// <inheritdoc cref="NativeMemory.Realloc(void*, nuint)"/>
    public static void* Realloc(void* ptr, nuint byteCount, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        (void*)TrackedHeap.Reallocate(AllocationFamily.Native, (nint)ptr, byteCount, 0, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.Realloc(void*, nuint)"/>
    public static void* Realloc(void* ptr, nuint byteCount, TrackedSite site) =>
        (void*)TrackedHeap.Reallocate(AllocationFamily.Native, (nint)ptr, byteCount, 0, new SiteObject(site));

    /// <inheritdoc cref="NativeMemory.Free(void*)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* ptr, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Free(AllocationFamily.Native, (nint)ptr, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.Free(void*)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* ptr, TrackedSite site) =>
        TrackedHeap.Free(AllocationFamily.Native, (nint)ptr, new SiteObject(site));

    /// <inheritdoc cref="NativeMemory.AlignedAlloc(nuint, nuint)"/>
    public static void* AlignedAlloc(nuint byteCount, nuint alignment, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        (void*)TrackedHeap.Track(AllocationFamily.Aligned, (nint)NativeMemory.AlignedAlloc(byteCount, alignment), byteCount, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.AlignedAlloc(nuint, nuint)"/>
    public static void* AlignedAlloc(nuint byteCount, nuint alignment, TrackedSite site) =>
        (void*)TrackedHeap.Track(AllocationFamily.Aligned, (nint)NativeMemory.AlignedAlloc(byteCount, alignment), byteCount, new SiteObject(site));

    /// <inheritdoc cref="NativeMemory.AlignedRealloc(void*, nuint, nuint)"/>
    public static void* AlignedRealloc(void* ptr, nuint byteCount, nuint alignment, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        (void*)TrackedHeap.Reallocate(AllocationFamily.Aligned, (nint)ptr, byteCount, alignment, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.AlignedRealloc(void*, nuint, nuint)"/>
    public static void* AlignedRealloc(void* ptr, nuint byteCount, nuint alignment, TrackedSite site) =>
        (void*)TrackedHeap.Reallocate(AllocationFamily.Aligned, (nint)ptr, byteCount, alignment, new SiteObject(site));

    /// <inheritdoc cref="NativeMemory.AlignedFree(void*)"/>
    public static void AlignedFree(void* ptr, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Free(AllocationFamily.Aligned, (nint)ptr, new SiteStrings(file, line, member));

    /// <inheritdoc cref="NativeMemory.AlignedFree(void*)"/>
    public static void AlignedFree(void* ptr, TrackedSite site) =>
        TrackedHeap.Free(AllocationFamily.Aligned, (nint)ptr, new SiteObject(site));

    /// <summary>
    /// Stops tracking a live block for good — for a block handed to native code that frees it itself. The tracer sees
    /// it freed at this call; a later free of the address through LeakScope is passed to the system as an unknown
    /// pointer. Returns false (and does nothing) when the pointer is not a live tracked block.
    /// </summary>
    public static bool Forget(void* ptr, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Forget((nint)ptr, new SiteStrings(file, line, member));
}
