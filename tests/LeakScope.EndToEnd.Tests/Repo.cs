using System.Reflection;
using System.Text.RegularExpressions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>Where the built sample and CLI are, and the planted bugs' lines read from the sample's source markers.</summary>
internal static partial class Repo
{
    public static readonly string Root = FindRoot();

    public static readonly string Configuration =
        typeof(Repo).Assembly.GetCustomAttribute<BuildConfigurationAttribute>()?.Configuration ?? "Release";

    public static string MisuseDemoDll => Built(Path.Combine(Root, "samples", "MisuseDemo", "bin", Configuration, "net10.0", "MisuseDemo.dll"));

    public static string CliDll => Built(Path.Combine(Root, "src", "Cli", "bin", Configuration, "net10.0", "leakscope.dll"));

    public static string LeakyServiceDll => Built(Path.Combine(Root, "samples", "LeakyService", "bin", Configuration, "net10.0", "LeakyService.dll"));

    /// <summary>LeakyService's apphost: started through a symlink of a unique name, so <c>--name</c> finds exactly it.</summary>
    public static string LeakyServiceHost => Built(Path.Combine(Root, "samples", "LeakyService", "bin", Configuration, "net10.0", "LeakyService"));

    public static string LeakyServiceSource => Path.Combine(Root, "samples", "LeakyService", "PlantedBugs.cs");

    public static string RandomNoiseDll => Built(Path.Combine(Root, "samples", "RandomNoise", "bin", Configuration, "net10.0", "RandomNoise.dll"));

    public static string MisuseTargetDll => Built(Path.Combine(Root, "tests", "LeakScope.Allocator.MisuseTarget", "bin", Configuration, "net10.0", "LeakScope.Allocator.MisuseTarget.dll"));
    /// <summary>The launch-mode and gate workload: plain (no allocator) unless given --leak; can start .NET children, exit non-zero, abort.</summary>
    public static string ChildTargetDll => Built(Path.Combine(Root, "tests", "LeakScope.ChildTarget", "bin", Configuration, "net10.0", "LeakScope.ChildTarget.dll"));

    public static string SharedHelperDll => Built(Path.Combine(Root, "samples", "SharedHelper", "bin", Configuration, "net10.0", "SharedHelper.dll"));

    public static string SharedHelperProgram => Path.Combine(Root, "samples", "SharedHelper", "Program.cs");

    public static string SharedHelperTensor => Path.Combine(Root, "samples", "SharedHelper", "Tensor.cs");

    /// <summary>The line ending with <paramref name="marker"/> (e.g. <c>// CALL:weights</c>) in <paramref name="file"/>.</summary>
    public static int MarkedLine(string file, string marker)
    {
        string[] source = File.ReadAllLines(file);
        for (int i = 0; i < source.Length; i++)
        {
            if (source[i].EndsWith(marker, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"no {marker} marker in {file}");
    }

    public static string ReachabilityDll => Built(Path.Combine(Root, "samples", "Reachability", "bin", Configuration, "net10.0", "Reachability.dll"));

    public static string ReachabilitySource => Path.Combine(Root, "samples", "Reachability", "Program.cs");

    /// <summary>The line marked <c>// REACH:name</c> in samples/Reachability/Program.cs.</summary>
    public static int ReachLine(string marker) => MarkedLine(ReachabilitySource, "// REACH:" + marker);

    public static string MisuseDemoSource => Path.Combine(Root, "samples", "MisuseDemo", "Program.cs");

    public static string TraceBenchDll => Built(Path.Combine(Root, "bench", "LeakScope.TraceBench", "bin", Configuration, "net10.0", "LeakScope.TraceBench.dll"));

    public static string TestWorkloadsSource => Path.Combine(Root, "bench", "LeakScope.TraceBench", "TestWorkloads.cs");

    /// <summary>The line marked <c>// LEAK:name</c> in the bench's TestWorkloads.cs.</summary>
    public static int LeakLine(string marker)
    {
        string[] source = File.ReadAllLines(TestWorkloadsSource);
        for (int i = 0; i < source.Length; i++)
        {
            if (source[i].EndsWith("// LEAK:" + marker, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"no LEAK:{marker} marker in {TestWorkloadsSource}");
    }

    private static readonly Lazy<IReadOnlyDictionary<string, int>> s_lines = new(ReadMarkers);

    /// <summary>The line of the call marked <c>// PLANTED:name</c> in MisuseDemo's Program.cs.</summary>
    public static int Line(string marker) => s_lines.Value.TryGetValue(marker, out int line)
        ? line
        : throw new InvalidOperationException($"no PLANTED:{marker} marker in {MisuseDemoSource}");

    private static IReadOnlyDictionary<string, int> ReadMarkers()
    {
        var lines = new Dictionary<string, int>();
        string[] source = File.ReadAllLines(MisuseDemoSource);
        for (int i = 0; i < source.Length; i++)
        {
            Match m = Marker().Match(source[i]);
            if (m.Success && source[i].TrimStart().StartsWith("//", StringComparison.Ordinal) == false)
            {
                lines[m.Groups[1].Value] = i + 1;
            }
        }

        return lines;
    }

    private static string Built(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built: build LeakScope.sln -c {Configuration} first", path);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LeakScope.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LeakScope.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"// PLANTED:([a-z\-]+)")]
    private static partial Regex Marker();
}
