using System.Runtime.InteropServices;

namespace LeakScope.Allocator.Heaps;

/// <summary>
/// Gives a range's physical pages back to the system while keeping its addresses: <c>madvise(MADV_DONTNEED)</c> on
/// Linux, which lowers RSS at once (<c>MADV_FREE</c> would not, until memory is short) and makes the range read as
/// zeros afterwards, so a stale pointer into it still reads memory the allocator owns. Elsewhere nothing is given back.
/// </summary>
internal static partial class SystemPages
{
    private const int MadvDontNeed = 4;

    public static bool CanRelease { get; } = OperatingSystem.IsLinux();

    /// <summary>Releases the pages of [<paramref name="start"/>, +<paramref name="length"/>); page-aligned. False if the system refused.</summary>
    public static bool Release(nint start, nuint length) => CanRelease && madvise(start, length, MadvDontNeed) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);
}
