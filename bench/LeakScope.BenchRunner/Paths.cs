namespace LeakScope.BenchRunner;

/// <summary>The built programs the runner starts, found from the repository root above this program.</summary>
internal sealed record Paths(string Cli, string TraceBench, string TracerBench, string NativeSource)
{
    public static Paths Find()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LeakScope.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("LeakScope.sln not found above " + AppContext.BaseDirectory);
        }

        // The configuration this runner was built in: bench/LeakScope.BenchRunner/bin/<Configuration>/net10.0/.
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string Built(params string[] parts)
        {
            string path = Path.Combine([root, .. parts]);
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built (dotnet build LeakScope.sln -c {configuration})");
        }

        return new Paths(
            Built("src", "Cli", "bin", configuration, "net10.0", "leakscope.dll"),
            Built("bench", "LeakScope.TraceBench", "bin", configuration, "net10.0", "LeakScope.TraceBench.dll"),
            Built("bench", "LeakScope.TracerBench", "bin", configuration, "net10.0", "LeakScope.TracerBench.dll"),
            Built("bench", "native", "workloads.c"));
    }
}
