using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;

namespace LeakScope.Tracer.Tests.Architecture;

/// <summary>
/// What a user of the packages gets: <c>dotnet pack</c> of <c>LeakScope.Allocator</c>, <c>LeakScope.Tracer</c> and
/// <c>LeakScope.Hosting</c> (the
/// build this test project made, so the packages are of this very code) gives each <c>.nupkg</c> its assembly, the
/// XML documentation IntelliSense shows, and its own README, declared in the nuspec so NuGet displays it.
/// </summary>
public sealed class PackageContentTests : IDisposable
{
    private static readonly string Configuration =
        typeof(PackageContentTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("leakscope-pack-");

    [Theory]
    [InlineData("Allocator", "LeakScope.Allocator", "HeapSnapshot", 50)]
    [InlineData("Tracer", "LeakScope.Tracer", "AnalysisEngine", 50)]
    [InlineData("Hosting", "LeakScope.Hosting", "LeakScopeOptions", 25)]
    public void The_package_holds_the_assembly_its_XML_docs_and_its_README(string project, string id, string documentedType, int leastMembers)
    {
        string package = Pack(project, id);

        using ZipArchive zip = ZipFile.OpenRead(package);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.Contains("README.md", entries);

        XDocument docs = XDocument.Load(zip.GetEntry($"lib/net10.0/{id}.xml")!.Open());
        string[] members = docs.Descendants("member").Select(m => (string)m.Attribute("name")!).ToArray();
        Assert.Contains(members, m => m.StartsWith($"T:{id}.", StringComparison.Ordinal) && m.EndsWith("." + documentedType, StringComparison.Ordinal));
        Assert.True(members.Length > leastMembers, $"only {members.Length} documented members in {id}.xml");

        using (var reader = new StreamReader(zip.GetEntry("README.md")!.Open()))
        {
            Assert.StartsWith($"# {id}\n", reader.ReadToEnd().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }

        ZipArchiveEntry nuspec = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument manifest = XDocument.Load(nuspec.Open());
        XElement metadata = manifest.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.Equal("README.md", (string?)metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "readme"));
        Assert.Equal(id, (string?)metadata.Elements().Single(e => e.Name.LocalName == "id"));
    }

    public void Dispose() => _output.Delete(recursive: true);

    private string Pack(string project, string id)
    {
        string csproj = Path.Combine(RepositoryRoot.Path, "src", project, id + ".csproj");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "pack", csproj, "--no-build", "--nologo", "-c", Configuration, "-o", _output.FullName })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "dotnet pack did not finish in 3 minutes");
        Assert.True(process.ExitCode == 0, $"dotnet pack {id} exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");

        return Assert.Single(Directory.GetFiles(_output.FullName, id + ".*.nupkg"));
    }
}
