namespace LeakScope.Tracer.Tests.Architecture;

/// <summary>The clone the tests were built from: the folder above the test's output that holds <c>LeakScope.sln</c>.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "LeakScope.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"LeakScope.sln not found above {AppContext.BaseDirectory}");
    }
}
