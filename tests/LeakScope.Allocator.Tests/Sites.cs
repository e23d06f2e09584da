using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator.Tests;

/// <summary>Source lines, for asserting the site a finding names: <c>int line = Sites.Line(); var x = new …;</c> on one line.</summary>
internal static class Sites
{
    public static int Line([CallerLineNumber] int line = 0) => line;

    public static SiteInfo Of(long siteId) => SiteRegistry.Get((int)siteId);
}
