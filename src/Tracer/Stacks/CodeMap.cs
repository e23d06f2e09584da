namespace LeakScope.Tracer.Stacks;

/// <summary>
/// Where the target's managed code lies: every jitted method body (from the runtime's method-load events, and from its
/// rundown for code compiled before the session), its IL-to-native map, and the module it belongs to. Filled while a
/// stack-walking session is read; <see cref="TryFind"/> after <see cref="Seal"/>. Addresses of code that was never
/// described (ReadyToRun code, runtime stubs) are not found.
/// </summary>
internal sealed class CodeMap
{
    private readonly List<MethodCode> _methods = new();
    private readonly Dictionary<long, int> _lastByMethod = new();
    private readonly Dictionary<long, IlMap> _pendingMaps = new();
    private readonly Dictionary<long, ModuleInfo> _modules = new();
    private MethodCode[] _sorted = [];

    public int Methods => _methods.Count;

    public int Modules => _modules.Count;

    public void MethodLoaded(ulong start, uint size, long methodId, long moduleId, int token, string typeName, string methodName)
    {
        if (size == 0)
        {
            return;
        }

        _pendingMaps.Remove(methodId, out IlMap? map);
        _lastByMethod[methodId] = _methods.Count;
        _methods.Add(new MethodCode(start, size, methodId, moduleId, token, typeName, methodName) { Map = map });
    }

    /// <summary>The IL-to-native map of a method's newest code: attached to its last load, or kept for the load that follows.</summary>
    public void IlMapLoaded(long methodId, IlMap map)
    {
        if (_lastByMethod.TryGetValue(methodId, out int index) && _methods[index].Map is null)
        {
            _methods[index].Map = map;
        }
        else
        {
            _pendingMaps[methodId] = map;
        }
    }

    public void ModuleLoaded(long moduleId, string? path)
    {
        if (!string.IsNullOrEmpty(path))
        {
            _modules[moduleId] = new ModuleInfo(moduleId, path);
        }
        else
        {
            _modules.TryAdd(moduleId, new ModuleInfo(moduleId, null));
        }
    }

    public ModuleInfo? Module(long moduleId) => _modules.TryGetValue(moduleId, out ModuleInfo? module) ? module : null;

    /// <summary>Sorts what was loaded for lookups (a rundown repeats methods already loaded: the one with a map is kept).</summary>
    public void Seal()
    {
        _sorted = _methods
            .GroupBy(m => m.Start)
            .Select(g => g.OrderByDescending(m => m.Map is not null).First())
            .OrderBy(m => m.Start)
            .ToArray();
    }

    /// <summary>The method body holding <paramref name="address"/>, or false.</summary>
    public bool TryFind(ulong address, out MethodCode method)
    {
        int lo = 0;
        int hi = _sorted.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sorted[mid].Start <= address)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (hi >= 0 && address - _sorted[hi].Start < _sorted[hi].Size)
        {
            method = _sorted[hi];
            return true;
        }

        method = null!;
        return false;
    }
}

/// <summary>One jitted body of a method.</summary>
internal sealed record MethodCode(ulong Start, uint Size, long MethodId, long ModuleId, int Token, string TypeName, string MethodName)
{
    public IlMap? Map { get; set; }
}

/// <summary>A loaded module: its id and the file it was loaded from (null for in-memory modules).</summary>
internal sealed record ModuleInfo(long ModuleId, string? Path);
