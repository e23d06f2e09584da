using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace LeakScope.Analyzers.Tests;

/// <summary>
/// What every compilation under test references: the running runtime's own assemblies (no reference-pack download) and
/// the real LeakScope.Allocator; unsafe code allowed; interceptors enabled in the generated namespace.
/// </summary>
internal static class TestCompilation
{
    public static readonly ReferenceAssemblies NoPackages = new("net10.0");

    public static readonly ImmutableArray<MetadataReference> References = BuildReferences();

    public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Preview)
        .WithFeatures([new("InterceptorsNamespaces", InterceptionGenerator.GeneratedNamespace)]);

    public static readonly CSharpCompilationOptions CompilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithAllowUnsafe(true)
        .WithNullableContextOptions(NullableContextOptions.Enable);

    public static void Configure<TVerifier>(AnalyzerTest<TVerifier> test)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = NoPackages;
        test.TestState.AdditionalReferences.AddRange(References);
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            Project project = solution.GetProject(projectId)!;
            return solution
                .WithProjectCompilationOptions(projectId, ((CSharpCompilationOptions)project.CompilationOptions!).WithAllowUnsafe(true))
                .WithProjectParseOptions(projectId, ParseOptions);
        });
    }

    public static CSharpCompilation Create(string source, string path = "/src/Program.cs") =>
        CSharpCompilation.Create(
            "Consumer" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path)],
            References,
            CompilationOptions);

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetDirectoryName(path) == runtime)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(LeakScope.Allocator.TrackedNativeMemory).Assembly.Location));
        return [.. references];
    }
}
