using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LeakScope.Allocator.Tracked;

namespace LeakScope.Allocator;

/// <summary>
/// <see cref="Marshal"/>'s native-memory members, tracked: each calls the real <see cref="Marshal"/> function and returns
/// the real block, recorded beside it — family <see cref="AllocationFamily.HGlobal"/> for <c>…HGlobal</c>,
/// <see cref="AllocationFamily.CoTaskMem"/> for <c>…CoTaskMem</c>. Freeing an HGlobal with <c>FreeCoTaskMem</c> works on
/// Linux (both are <c>malloc</c>) and corrupts the heap on Windows: here it is a mismatched free, and under
/// <see cref="MisusePolicy.Report"/> the block is freed by its own family. See <see cref="TrackedNativeMemory"/> for the
/// rest of the contract.
/// </summary>
public static class TrackedMarshal
{
    /// <inheritdoc cref="Marshal.AllocHGlobal(int)"/>
    public static nint AllocHGlobal(int cb, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Track(AllocationFamily.HGlobal, Marshal.AllocHGlobal(cb), (nuint)cb, new SiteStrings(file, line, member));

    /// <inheritdoc cref="Marshal.AllocHGlobal(int)"/>
    public static nint AllocHGlobal(int cb, TrackedSite site) =>
        TrackedHeap.Track(AllocationFamily.HGlobal, Marshal.AllocHGlobal(cb), (nuint)cb, new SiteObject(site));

    /// <inheritdoc cref="Marshal.AllocHGlobal(nint)"/>
    public static nint AllocHGlobal(nint cb, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Track(AllocationFamily.HGlobal, Marshal.AllocHGlobal(cb), (nuint)cb, new SiteStrings(file, line, member));

    /// <inheritdoc cref="Marshal.AllocHGlobal(nint)"/>
    public static nint AllocHGlobal(nint cb, TrackedSite site) =>
        TrackedHeap.Track(AllocationFamily.HGlobal, Marshal.AllocHGlobal(cb), (nuint)cb, new SiteObject(site));

    /// <inheritdoc cref="Marshal.ReAllocHGlobal(nint, nint)"/>
    public static nint ReAllocHGlobal(nint pv, nint cb, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Reallocate(AllocationFamily.HGlobal, pv, (nuint)cb, 0, new SiteStrings(file, line, member));

    /// <inheritdoc cref="Marshal.ReAllocHGlobal(nint, nint)"/>
    public static nint ReAllocHGlobal(nint pv, nint cb, TrackedSite site) =>
        TrackedHeap.Reallocate(AllocationFamily.HGlobal, pv, (nuint)cb, 0, new SiteObject(site));

    /// <inheritdoc cref="Marshal.FreeHGlobal(nint)"/>
    public static void FreeHGlobal(nint hglobal, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Free(AllocationFamily.HGlobal, hglobal, new SiteStrings(file, line, member));

    /// <inheritdoc cref="Marshal.FreeHGlobal(nint)"/>
    public static void FreeHGlobal(nint hglobal, TrackedSite site) =>
        TrackedHeap.Free(AllocationFamily.HGlobal, hglobal, new SiteObject(site));

    /// <inheritdoc cref="Marshal.AllocCoTaskMem(int)"/>
    public static nint AllocCoTaskMem(int cb, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Track(AllocationFamily.CoTaskMem, Marshal.AllocCoTaskMem(cb), (nuint)cb, new SiteStrings(file, line, member));

    /// <inheritdoc cref="Marshal.AllocCoTaskMem(int)"/>
    public static nint AllocCoTaskMem(int cb, TrackedSite site) =>
        TrackedHeap.Track(AllocationFamily.CoTaskMem, Marshal.AllocCoTaskMem(cb), (nuint)cb, new SiteObject(site));

    /// <inheritdoc cref="Marshal.ReAllocCoTaskMem(nint, int)"/>
    public static nint ReAllocCoTaskMem(nint pv, int cb, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Reallocate(AllocationFamily.CoTaskMem, pv, (nuint)cb, 0, new SiteStrings(file, line, member));

    /// <inheritdoc cref="Marshal.ReAllocCoTaskMem(nint, int)"/>
    public static nint ReAllocCoTaskMem(nint pv, int cb, TrackedSite site) =>
        TrackedHeap.Reallocate(AllocationFamily.CoTaskMem, pv, (nuint)cb, 0, new SiteObject(site));

    /// <inheritdoc cref="Marshal.FreeCoTaskMem(nint)"/>
    public static void FreeCoTaskMem(nint ptr, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Free(AllocationFamily.CoTaskMem, ptr, new SiteStrings(file, line, member));

    /// <inheritdoc cref="Marshal.FreeCoTaskMem(nint)"/>
    public static void FreeCoTaskMem(nint ptr, TrackedSite site) =>
        TrackedHeap.Free(AllocationFamily.CoTaskMem, ptr, new SiteObject(site));

    /// <inheritdoc cref="TrackedNativeMemory.Forget"/>
    public static bool Forget(nint ptr, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, [CallerMemberName] string member = "") =>
        TrackedHeap.Forget(ptr, new SiteStrings(file, line, member));
}
