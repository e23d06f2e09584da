using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator.Tracked;

/// <summary>
/// Where a tracked call was made. <see cref="TrackedHeap"/> is generic over it, so each kind gets its own compiled copy
/// and the one-field <see cref="SiteObject"/> of the generated interceptors lives in a register (a struct carrying both
/// kinds was spilled to the stack on every free). A free needs its own site only to report a misuse or to publish the
/// free, so it asks for <see cref="Id"/> / <see cref="Info"/> only then.
/// </summary>
internal interface ICallerSite
{
    /// <summary>The interned site id.</summary>
    int Id { get; }

    /// <summary>The (file, line, member) of the call.</summary>
    SiteInfo Info { get; }
}

/// <summary>A <see cref="TrackedSite"/>, as the generated interceptors pass it: its id is one field read.</summary>
internal readonly struct SiteObject(TrackedSite site) : ICallerSite
{
    public int Id
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => site.Id;
    }

    public SiteInfo Info => new(site.File, site.Line, site.Member);
}

/// <summary>Caller-info strings, as a direct call passes them: looked up in <see cref="SiteCache"/>.</summary>
internal readonly struct SiteStrings(string file, int line, string member) : ICallerSite
{
    public int Id
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SiteCache.Find(file, line, member);
    }

    public SiteInfo Info => new(file ?? string.Empty, line, member ?? string.Empty);
}
