namespace LeakScope.Allocator.Diagnostics;

/// <summary>
/// Interns (file, line, member) sites to small integers. A site is published once by its own
/// <c>SiteDefined</c> event when it is first seen while a session listens, and again in every
/// rundown, so block events only ever carry the integer. Id 0 means "no site".
/// </summary>
internal static class SiteRegistry
{
    private static readonly Lock s_lock = new();
    private static readonly Dictionary<SiteInfo, int> s_ids = new();
    private static SiteInfo[] s_sites = [new SiteInfo(string.Empty, 0, string.Empty)];
    private static int s_count = 1;

    public static int Intern(string file, int line, string member)
    {
        var site = new SiteInfo(file ?? string.Empty, line, member ?? string.Empty);
        int id;
        lock (s_lock)
        {
            if (s_ids.TryGetValue(site, out id))
            {
                return id;
            }

            id = s_count;
            if (id == s_sites.Length)
            {
                Array.Resize(ref s_sites, id * 2);
            }

            s_sites[id] = site;
            s_ids.Add(site, id);
            Volatile.Write(ref s_count, id + 1);
        }

        AllocatorEventSource log = AllocatorEventSource.Log;
        if (log.IsEnabled())
        {
            log.SiteDefined(id, site);
        }

        return id;
    }

    public static SiteInfo Get(int id)
    {
        SiteInfo[] sites = Volatile.Read(ref s_sites);
        return (uint)id < (uint)Volatile.Read(ref s_count) && (uint)id < (uint)sites.Length ? sites[id] : sites[0];
    }

    /// <summary>Sites defined so far, the empty site 0 included.</summary>
    public static int Count => Volatile.Read(ref s_count);

    /// <summary>All sites defined so far, by id (index 0 is the empty site).</summary>
    public static SiteInfo[] Snapshot()
    {
        lock (s_lock)
        {
            return s_sites.AsSpan(0, s_count).ToArray();
        }
    }
}
