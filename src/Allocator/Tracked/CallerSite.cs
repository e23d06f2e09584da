using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator.Tracked;

/// <summary>
/// Where a tracked call was made: a <see cref="TrackedSite"/> (the generated interceptors: its id is one field read) or
/// caller-info strings (a direct call: looked up in <see cref="SiteCache"/>). A free needs its own site only to report a
/// misuse or to publish the free, so it asks for <see cref="Id"/> only then.
/// </summary>
internal readonly struct CallerSite
{
    private readonly TrackedSite? _site;
    private readonly string? _file;
    private readonly string? _member;
    private readonly int _line;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CallerSite(TrackedSite site)
    {
        _site = site;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CallerSite(string file, int line, string member)
    {
        _file = file;
        _line = line;
        _member = member;
    }

    public int Id
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _site is { } site ? site.Id : SiteCache.Find(_file!, _line, _member!);
    }

    /// <summary>The (file, line, member) of the call.</summary>
    public SiteInfo Info => _site is { } site ? new SiteInfo(site.File, site.Line, site.Member) : new SiteInfo(_file ?? string.Empty, _line, _member ?? string.Empty);
}
