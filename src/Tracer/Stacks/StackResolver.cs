using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Stacks;

/// <summary>
/// Turns a walked stack (return addresses, innermost first) into frames: method names from the <see cref="CodeMap"/>, file
/// and line from the module's PDB (<see cref="SourceLines"/>). The innermost frames that belong to LeakScope's allocator
/// (its generated interceptors included), to the runtime library (EventSource writing the event) or to no known method are
/// removed, so the first frame is the method that called the allocator. Unknown frames further out read <see cref="UnknownFrame"/>, one for a run of them.
/// </summary>
internal sealed class StackResolver : IDisposable
{
    public const string UnknownFrame = "[unknown]";

    /// <summary>Assemblies whose frames are the allocator's or the runtime's plumbing, not the user's call.</summary>
    private static readonly string[] OwnModules = ["LeakScope.Allocator.dll", "System.Private.CoreLib.dll"];

    /// <summary>
    /// The namespace the package's interception generator writes its interceptors into (<c>InterceptionGenerator.GeneratedNamespace</c>,
    /// docs/interception.md): compiled into the user's own assembly, but the allocator's call, not the user's.
    /// </summary>
    private const string InterceptorsNamespace = "LeakScope.Interception.Generated.";

    private readonly CodeMap _code;
    private readonly SourceLines _lines = new();
    private readonly CallSites _calls = new();
    private readonly Dictionary<(ulong Address, string? Callee), Resolved> _cache = new();

    public StackResolver(CodeMap code) => _code = code;

    /// <summary>Frames that no method described.</summary>
    public long UnknownFrames { get; private set; }

    public IReadOnlyList<CallFrame> Resolve(ReadOnlySpan<ulong> addresses)
    {
        var frames = new List<CallFrame>(addresses.Length);
        bool user = false;
        for (int i = 0; i < addresses.Length; i++)
        {
            // A return address points after its call: step back into the call for its method (not for the innermost frame),
            // and find the call itself by the method it called (the next frame in) for its line.
            string? callee = i > 0 && _code.TryFind(i > 1 ? addresses[i - 1] - 1 : addresses[i - 1], out MethodCode inner) ? inner.MethodName : null;
            Resolved resolved = Lookup(addresses[i], returnAddress: i > 0, callee);
            if (!user)
            {
                if (resolved.Frame is null || resolved.Own)
                {
                    continue;
                }

                user = true;
            }

            if (resolved.Frame is null)
            {
                UnknownFrames++;
                if (frames.Count > 0 && frames[^1].Method == UnknownFrame)
                {
                    continue;
                }

                frames.Add(new CallFrame(UnknownFrame));
                continue;
            }

            // An async method's kickoff stub (no source lines) sits right outside its state machine, under the same name.
            if (resolved.Plumbing || (resolved.Frame.File is null && frames.Count > 0 && frames[^1].Method == resolved.Frame.Method))
            {
                continue;
            }

            frames.Add(resolved.Frame);
        }

        // Outermost unknown frames are the runtime's own thread start: nothing the user can act on.
        while (frames.Count > 1 && frames[^1].Method == UnknownFrame)
        {
            frames.RemoveAt(frames.Count - 1);
        }

        return frames;
    }

    private Resolved Lookup(ulong address, bool returnAddress, string? callee)
    {
        ulong key = returnAddress ? address - 1 : address;
        if (_cache.TryGetValue((key, callee), out Resolved resolved))
        {
            return resolved;
        }

        resolved = default;
        if (_code.TryFind(key, out MethodCode method))
        {
            ModuleInfo? module = _code.Module(method.ModuleId);
            string name = MethodNames.Format(method.TypeName, method.MethodName);
            // A module loaded before the session and never run down has no path: the runtime library's types still show by name.
            bool own = (module?.Path is { } path
                    ? OwnModules.Contains(Path.GetFileName(path), StringComparer.OrdinalIgnoreCase)
                    : method.TypeName.StartsWith("System.", StringComparison.Ordinal))
                || method.TypeName.StartsWith(InterceptorsNamespace, StringComparison.Ordinal);
            CallFrame frame = new(name);
            int il = method.Map?.IlOffset((uint)(key - method.Start)) ?? -1;
            if (returnAddress && il >= 0 && module?.Path is { } calling)
            {
                // The map's boundary can be the statement before the call's (see CallSites): the call's own IL offset.
                il = _calls.CallIn(calling, method.Token, il, method.Map!.NextBoundary(il), callee);
            }

            if (module?.Path is { } modulePath && _lines.TryFind(modulePath, method.Token, il, out string file, out int line))
            {
                frame = new CallFrame(name, file, line);
            }

            resolved = new Resolved(frame, own, MethodNames.IsAsyncPlumbing(method.TypeName));
        }

        _cache[(key, callee)] = resolved;
        return resolved;
    }

    public void Dispose()
    {
        _lines.Dispose();
        _calls.Dispose();
    }

    private readonly record struct Resolved(CallFrame? Frame, bool Own, bool Plumbing);
}
