using System.Text.Json;
using System.Text.RegularExpressions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>The built <c>LeakScope.StressTarget</c>, the lines of its planted calls, and what it says it planted.</summary>
internal static partial class StressTarget
{
    public static string Dll
    {
        get
        {
            string path = Path.Combine(Repo.Root, "tests", "LeakScope.StressTarget", "bin", Repo.Configuration, "net10.0", "LeakScope.StressTarget.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built: build LeakScope.sln -c {Repo.Configuration} first", path);
        }
    }

    public static string WorkloadSource => Path.Combine(Repo.Root, "tests", "LeakScope.StressTarget", "Workload.cs");

    private static readonly Lazy<IReadOnlyDictionary<string, int>> s_lines = new(() =>
    {
        var lines = new Dictionary<string, int>();
        string[] source = File.ReadAllLines(WorkloadSource);
        for (int i = 0; i < source.Length; i++)
        {
            Match m = Marker().Match(source[i]);
            if (m.Success && !source[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
            {
                lines[m.Groups[1].Value] = i + 1;
            }
        }

        return lines;
    });

    /// <summary>The line of the call marked <c>// PLANTED:name</c> in the stress target's Workload.cs.</summary>
    public static int Line(string marker) => s_lines.Value.TryGetValue(marker, out int line)
        ? line
        : throw new InvalidOperationException($"no PLANTED:{marker} marker in {WorkloadSource}");

    /// <summary>The <c>STRESS {json}</c> line: what the run planted (threads, misuse per kind, refused resizes...).</summary>
    public static IReadOnlyDictionary<string, long> Planted(IEnumerable<string> output)
    {
        string line = output.Single(l => l.StartsWith("STRESS ", StringComparison.Ordinal));
        return JsonSerializer.Deserialize<Dictionary<string, long>>(line["STRESS ".Length..])!;
    }

    public static IEnumerable<string> Lines(StringWriter output) => output.ToString().Split('\n').Select(l => l.TrimEnd('\r'));

    [GeneratedRegex(@"// PLANTED:([a-z\-]+)")]
    private static partial Regex Marker();
}
