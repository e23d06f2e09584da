using System.Reflection;
using System.Runtime.Loader;
using LeakScope.Allocator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace LeakScope.Analyzers.Tests;

/// <summary>
/// The interception generator: off unless <c>LeakScopeIntercept=true</c>; on, every NativeMemory / Marshal call of the
/// compilation is rerouted to the tracked API with the call's own file, line and member — checked by compiling the
/// output and running it against the real allocator.
/// </summary>
public class InterceptionGeneratorTests
{
    private const string Consumer = """
        using System;
        using System.Runtime.InteropServices;

        public static unsafe class Consumer
        {
            public static void Run()
            {
                void* a = NativeMemory.Alloc(10);
                a = NativeMemory.Realloc(a, 20);
                NativeMemory.Free(a);
                void* b = NativeMemory.AllocZeroed(3, 4);
                NativeMemory.Free(b);
                void* c = NativeMemory.AlignedAlloc(30, 16);
                NativeMemory.AlignedFree(NativeMemory.AlignedRealloc(c, 40, 16));
                IntPtr h = Marshal.AllocHGlobal(50);
                h = Marshal.ReAllocHGlobal(h, (IntPtr)60);
                Marshal.FreeHGlobal(h);
                IntPtr t = Marshal.AllocCoTaskMem(70);
                Marshal.FreeCoTaskMem(Marshal.ReAllocCoTaskMem(t, 80));
                Func<int, IntPtr> group = Marshal.AllocHGlobal; // A method group: not an invocation, not intercepted.
                Marshal.FreeHGlobal(group(1));
            }

            public static IntPtr Leak() => Marshal.AllocHGlobal(5);
        }
        """;

    private static (Compilation Output, GeneratorDriverRunResult Run) Generate(string source, bool? intercept, bool referenceAllocator = true)
    {
        CSharpCompilation compilation = TestCompilation.Create(source);
        if (!referenceAllocator)
        {
            compilation = compilation.RemoveReferences(compilation.References.Where(r => r.Display?.EndsWith("LeakScope.Allocator.dll", StringComparison.Ordinal) == true));
        }

        var properties = new Dictionary<string, string>();
        if (intercept is { } on)
        {
            properties[InterceptionGenerator.EnableProperty] = on ? "true" : "false";
        }

        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new InterceptionGenerator().AsSourceGenerator()],
            parseOptions: TestCompilation.ParseOptions,
            optionsProvider: new BuildProperties(properties));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return (output, driver.GetRunResult());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(false)]
    public void Without_LeakScopeIntercept_true_nothing_is_generated(bool? intercept)
    {
        (_, GeneratorDriverRunResult run) = Generate(Consumer, intercept);
        Assert.Empty(run.GeneratedTrees);
        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public void Every_call_gets_an_interceptor_naming_its_file_line_and_member()
    {
        (Compilation output, GeneratorDriverRunResult run) = Generate(Consumer, intercept: true);

        Assert.Empty(run.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string generated = Assert.Single(run.GeneratedTrees).ToString();
        // 15 calls in Run (the method group is not one of them) and 1 in Leak.
        Assert.Equal(16, generated.Split("InterceptsLocationAttribute(1,").Length - 1);
        // Each interceptor passes its own TrackedSite, created once in a static field.
        AssertSited(generated, "global::LeakScope.Allocator.TrackedNativeMemory.Alloc(arg0, ", "\"/src/Program.cs\", 8, \"Run\"");
        AssertSited(generated, "global::LeakScope.Allocator.TrackedMarshal.ReAllocCoTaskMem(arg0, arg1, ", "\"/src/Program.cs\", 19, \"Run\"");
        AssertSited(generated, "global::LeakScope.Allocator.TrackedMarshal.AllocHGlobal(arg0, ", "\"/src/Program.cs\", 24, \"Leak\"");
    }

    [Fact]
    public void An_allocator_without_TrackedSite_gets_the_caller_info_strings()
    {
        // An older allocator: the tracked types, but no TrackedSite. The generator falls back to the caller-info form.
        const string OlderAllocator = """
            namespace LeakScope.Allocator
            {
                public static class TrackedNativeMemory { }
                public static class TrackedMarshal { }
            }
            """;
        CSharpCompilation compilation = TestCompilation.Create(Consumer);
        compilation = compilation
            .RemoveReferences(compilation.References.Where(r => r.Display?.EndsWith("LeakScope.Allocator.dll", StringComparison.Ordinal) == true))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(OlderAllocator, TestCompilation.ParseOptions, path: "/src/OlderAllocator.cs"));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new InterceptionGenerator().AsSourceGenerator()],
            parseOptions: TestCompilation.ParseOptions,
            optionsProvider: new BuildProperties(new Dictionary<string, string> { [InterceptionGenerator.EnableProperty] = "true" }));

        string generated = Assert.Single(driver.RunGenerators(compilation).GetRunResult().GeneratedTrees).ToString();
        Assert.Contains("global::LeakScope.Allocator.TrackedNativeMemory.Alloc(arg0, file: \"/src/Program.cs\", line: 8, member: \"Run\")", generated);
        Assert.DoesNotContain("TrackedSite", generated);
    }

    /// <summary>The interceptor calling <paramref name="call"/> passes a site field initialised with <paramref name="site"/>
    /// (two calls on one line have a field each, with the same site).</summary>
    private static void AssertSited(string generated, string call, string site)
    {
        string[] fields = System.Text.RegularExpressions.Regex.Matches(
                generated, @"static readonly global::LeakScope\.Allocator\.TrackedSite (s_site\d+) = new\(" + System.Text.RegularExpressions.Regex.Escape(site) + @"\);")
            .Select(m => m.Groups[1].Value)
            .ToArray();
        Assert.NotEmpty(fields);
        Assert.Contains(fields, field => generated.Contains(call + field + ");", StringComparison.Ordinal));
    }

    [Fact]
    public void The_intercepted_program_allocates_through_the_tracked_families()
    {
        (Compilation output, _) = Generate(Consumer, intercept: true);
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));

        var context = new AssemblyLoadContext("intercepted", isCollectible: true);
        try
        {
            image.Position = 0;
            Type consumer = context.LoadFromStream(image).GetType("Consumer")!;
            HeapSnapshot before = HeapStats.Capture();

            consumer.GetMethod("Run")!.Invoke(null, null);
            var leaked = (IntPtr)consumer.GetMethod("Leak")!.Invoke(null, null)!;

            HeapSnapshot after = HeapStats.Capture();
            (long LiveBlocks, long LiveBytes, long Allocations, long Frees, long Misuse) Change(AllocationFamily family)
            {
                HeapSnapshot change = (after - before).For(family);
                return (change.LiveBlocks, change.LiveBytes, change.Allocations, change.Frees, change.MisuseCount);
            }

            Assert.Equal((0L, 0L, 3L, 3L, 0L), Change(AllocationFamily.Native));
            Assert.Equal((0L, 0L, 2L, 2L, 0L), Change(AllocationFamily.Aligned));
            Assert.Equal((1L, 5L, 3L, 2L, 0L), Change(AllocationFamily.HGlobal));
            Assert.Equal((0L, 0L, 2L, 2L, 0L), Change(AllocationFamily.CoTaskMem));
            TrackedMarshal.FreeHGlobal(leaked);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void Interception_on_without_the_allocator_referenced_says_so()
    {
        (_, GeneratorDriverRunResult run) = Generate(Consumer, intercept: true, referenceAllocator: false);
        Assert.Empty(run.GeneratedTrees);
        Assert.Equal("LS0100", Assert.Single(run.Diagnostics).Id);
    }

    [Fact]
    public Task With_the_testing_framework_the_generated_interceptors_compile_cleanly()
    {
        var test = new CSharpSourceGeneratorTest<InterceptionGenerator, DefaultVerifier>
        {
            TestCode = Consumer,
            TestBehaviors = TestBehaviors.SkipGeneratedSourcesCheck,
        };
        TestCompilation.Configure(test);
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\nbuild_property.LeakScopeIntercept = true\n"));
        return test.RunAsync();
    }

    [Fact]
    public Task With_the_testing_framework_nothing_is_generated_by_default()
    {
        var test = new CSharpSourceGeneratorTest<InterceptionGenerator, DefaultVerifier> { TestCode = Consumer };
        TestCompilation.Configure(test);
        return test.RunAsync();
    }
}
