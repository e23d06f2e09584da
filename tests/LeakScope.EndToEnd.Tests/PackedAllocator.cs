namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// The LeakScope.Allocator package as users get it: packed from the built allocator (with its generator, analyzers and
/// build targets) into a local folder feed, once for the tests that consume it. Consumers restore from that folder
/// only, into their own packages folder, so no cached copy of an older pack can stand in for it.
/// </summary>
public sealed class PackedAllocator : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    public string Feed => Path.Combine(_directory.Path, "feed");

    public string PackagesFolder => Path.Combine(_directory.Path, "packages");

    public string Root => _directory.Path;

    public async Task InitializeAsync()
    {
        (int exitCode, string output) = await DotnetCommand.RunAsync(
            Repo.Root, "pack", Path.Combine("src", "Allocator", "LeakScope.Allocator.csproj"), "-c", Repo.Configuration, "--no-build", "-o", Feed);
        Assert.True(exitCode == 0, "dotnet pack failed:\n" + output);
        Assert.Single(Directory.GetFiles(Feed, "LeakScope.Allocator.*.nupkg"));
    }

    /// <summary>Copies samples/InterceptedInterop to a fresh folder with a NuGet.config naming only the local feed.</summary>
    public string CopyConsumer(string name)
    {
        string source = Path.Combine(Repo.Root, "samples", "InterceptedInterop");
        string target = Path.Combine(Root, name);
        Directory.CreateDirectory(target);
        foreach (string file in new[] { "Program.cs", "InterceptedInterop.csproj", "Directory.Build.props", "Directory.Packages.props" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(target, file));
        }

        File.WriteAllText(Path.Combine(target, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="leakscope-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        return target;
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
