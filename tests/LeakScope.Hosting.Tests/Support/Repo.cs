namespace LeakScope.Hosting.Tests.Support;

/// <summary>Where the repository's built pieces are, found from this test assembly's folder.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string LeakyWebServiceDll
    {
        get
        {
            string path = Path.Combine(Root, "samples", "LeakyWebService", "bin", Configuration, "net10.0", "LeakyWebService.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"build the sample first: {path}");
        }
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "LeakScope.sln")))
            {
                return d.FullName;
            }
        }

        throw new DirectoryNotFoundException("LeakScope.sln not found above " + AppContext.BaseDirectory);
    }
}
