using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>Site definitions by id. A site may be referenced before (or without) its definition: it resolves at the end.</summary>
internal sealed class SiteTable
{
    private readonly Dictionary<int, SiteInfo> _sites = new();

    public int Count => _sites.Count;

    public void Define(in SiteDefined record) =>
        _sites[record.Site.Value] = new SiteInfo(record.Site.Value, record.File ?? string.Empty, record.Line, record.Member ?? string.Empty);

    public SiteInfo Resolve(int id) =>
        id == 0 ? SiteInfo.None : _sites.TryGetValue(id, out SiteInfo? site) ? site : SiteInfo.Undefined(id);

    /// <summary>How many of the given ids were referenced but never defined.</summary>
    public bool IsDefined(int id) => id == 0 || _sites.ContainsKey(id);
}
