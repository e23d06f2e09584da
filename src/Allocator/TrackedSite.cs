using System.ComponentModel;
using System.Runtime.CompilerServices;
using LeakScope.Allocator.Diagnostics;

namespace LeakScope.Allocator;

/// <summary>
/// One call site of <see cref="TrackedNativeMemory"/> / <see cref="TrackedMarshal"/>, named once: what the interception
/// generator passes instead of the caller-info strings (docs/interception.md). The generated code keeps one instance per
/// intercepted call in a static field, so a call costs a field read for its site instead of a lookup of
/// (file, line, member); the site is interned on its first allocation, not when the instance is created.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class TrackedSite
{
    private int _id;

    /// <summary>Names a call site (nothing is registered until a call uses it).</summary>
    /// <param name="file">The source file, as <c>CallerFilePath</c> gives it.</param>
    /// <param name="line">The line, as <c>CallerLineNumber</c> gives it.</param>
    /// <param name="member">The member, as <c>CallerMemberName</c> gives it.</param>
    public TrackedSite(string file, int line, string member)
    {
        File = file ?? string.Empty;
        Line = line;
        Member = member ?? string.Empty;
    }

    /// <summary>The source file of the call.</summary>
    public string File { get; }

    /// <summary>The line of the call.</summary>
    public int Line { get; }

    /// <summary>The member containing the call.</summary>
    public string Member { get; }

    /// <summary>The interned site id (the registry's; equal for equal (file, line, member)).</summary>
    internal int Id
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int id = _id;
            return id != 0 ? id : Resolve();
        }
    }

    /// <summary>First use: the shared site table's id (two threads racing here store the same value).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Resolve() => _id = SiteCache.Find(File, Line, Member);
}
