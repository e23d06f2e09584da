using System.Runtime.CompilerServices;

namespace LeakScope.Allocator.Tests.Support;

/// <summary>The caller's own site, to compare with the site an allocation on the same line was given.</summary>
internal static class Here
{
    public static int Line([CallerLineNumber] int line = 0) => line;

    public static string File([CallerFilePath] string file = "") => file;
}
