using System.Text;

namespace LeakScope.Tracer.Stacks;

/// <summary>
/// Turns the runtime's (type, method) names into what the user wrote: <c>Namespace.Type.Method</c>. Compiler-generated
/// types and methods read as their source: an async or iterator state machine <c>Type+&lt;RunAsync&gt;d__3.MoveNext</c> is
/// <c>Type.RunAsync</c>; a lambda <c>Type+&lt;&gt;c.&lt;Main&gt;b__0_0</c> is <c>Type.Main.&lt;lambda&gt;</c>; a local function
/// <c>&lt;Main&gt;g__Helper|0_0</c> is <c>Type.Main.Helper</c>. Nested types keep a dot.
/// </summary>
internal static class MethodNames
{
    public static string Format(string typeName, string methodName)
    {
        var parts = new List<string>();
        string[] nested = SplitNested(typeName);
        foreach (string part in nested)
        {
            // Generated containers of lambdas and closures (<>c, <>c__DisplayClass0_0) are not the user's types.
            if (part.StartsWith("<>c", StringComparison.Ordinal))
            {
                continue;
            }

            // A state machine type <Name>d__N (or <<Outer>b__0_0>d for an async lambda) stands for its method.
            if (part.StartsWith('<') && StateMachineOf(part) is { } original)
            {
                parts.Add(Source(original));
                continue;
            }

            parts.Add(part);
        }

        bool stateMachineStep = methodName is "MoveNext" && nested[^1] is { } last && last.StartsWith('<') && StateMachineOf(last) is not null;
        if (!stateMachineStep)
        {
            parts.Add(Source(methodName));
        }

        var text = new StringBuilder();
        foreach (string part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append('.');
            }

            text.Append(part);
        }

        return text.ToString();
    }

    /// <summary>
    /// Whether a frame's formatted name (<see cref="Format"/>) is in the member <c>[CallerMemberName]</c> named: the method
    /// itself, or a lambda or local function inside it (<c>Type.Main.&lt;lambda&gt;</c> for <c>Main</c>).
    /// </summary>
    public static bool IsMember(string formatted, string member) =>
        member.Length > 0
        && (formatted.EndsWith("." + member, StringComparison.Ordinal) || formatted.Contains("." + member + ".", StringComparison.Ordinal));

    /// <summary>
    /// Async plumbing of the runtime library between the user's frames (state-machine builders, execution contexts, the
    /// thread pool's dispatch): a stack reads as the user's calls without it.
    /// </summary>
    public static bool IsAsyncPlumbing(string typeName) =>
        typeName.StartsWith("System.Runtime.CompilerServices.Async", StringComparison.Ordinal)
        || typeName.StartsWith("System.Runtime.CompilerServices.TaskAwaiter", StringComparison.Ordinal)
        || typeName.StartsWith("System.Runtime.CompilerServices.YieldAwaitable", StringComparison.Ordinal)
        || typeName.StartsWith("System.Threading.ExecutionContext", StringComparison.Ordinal)
        || typeName.StartsWith("System.Threading.ThreadPool", StringComparison.Ordinal)
        || typeName.StartsWith("System.Threading.PortableThreadPool", StringComparison.Ordinal)
        || typeName.StartsWith("System.Threading.Tasks.", StringComparison.Ordinal)
        || typeName == "System.Threading.Thread";

    /// <summary>Splits a type name at its nesting '+' (not inside generic arguments).</summary>
    private static string[] SplitNested(string typeName)
    {
        var parts = new List<string>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < typeName.Length; i++)
        {
            switch (typeName[i])
            {
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    break;
                case '+' when depth == 0:
                    parts.Add(typeName[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(typeName[start..]);
        return [.. parts];
    }

    /// <summary>The method a state machine type <c>&lt;Name&gt;d__N</c> / <c>&lt;Name&gt;d</c> implements, or null for another name.</summary>
    private static string? StateMachineOf(string part)
    {
        int close = MatchingClose(part);
        if (close < 0 || close + 1 >= part.Length || part[close + 1] != 'd')
        {
            return null;
        }

        string rest = part[(close + 2)..];
        return rest.Length == 0 || rest.StartsWith("__", StringComparison.Ordinal) ? part[1..close] : null;
    }

    /// <summary>A generated method name as source: <c>&lt;Main&gt;b__0_0</c> → <c>Main.&lt;lambda&gt;</c>, <c>&lt;Main&gt;g__Helper|0_0</c> → <c>Main.Helper</c>.</summary>
    private static string Source(string name)
    {
        if (!name.StartsWith('<'))
        {
            return name;
        }

        int close = MatchingClose(name);
        if (close == name.Length - 1)
        {
            // <Main>: the synchronous entry point the compiler wraps around an async Main.
            return Source(name[1..close]);
        }

        if (close < 0)
        {
            return name;
        }

        string outer = Source(name[1..close]);
        char kind = name[close + 1];
        string rest = name[(close + 2)..];
        return kind switch
        {
            'b' => $"{outer}.<lambda>",
            'g' when rest.StartsWith("__", StringComparison.Ordinal) => $"{outer}.{rest[2..].Split('|')[0]}",
            'd' => outer,
            '$' => outer, // <Main>$: the entry point of top-level statements
            _ => name,
        };
    }

    private static int MatchingClose(string text)
    {
        int depth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '<')
            {
                depth++;
            }
            else if (text[i] == '>' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }
}
