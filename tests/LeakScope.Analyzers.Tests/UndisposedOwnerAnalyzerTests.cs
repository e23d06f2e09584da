using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace LeakScope.Analyzers.Tests;

public class UndisposedOwnerAnalyzerTests
{
    private const string Usings = "using System;\nusing System.Collections.Generic;\nusing LeakScope.Allocator;\n";

    private static Task VerifyAsync(string source)
    {
        var test = new CSharpAnalyzerTest<UndisposedOwnerAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        TestCompilation.Configure(test);
        return test.RunAsync();
    }

    [Fact]
    public Task Owners_and_views_only_read_from_are_reported() => VerifyAsync(
        """
        static class C
        {
            static int M(NativeBuffer<int> buffer)
            {
                var {|LS0003:array = new NativeArray<int>(4)|};
                array[0] = 1;
                array.Resize(8);
                var {|LS0003:view = buffer.AcquireView()|};
                return array.Length + view.Span[0];
            }
        }
        """);

    [Fact]
    public Task Disposed_returned_passed_stored_or_captured_locals_stay_quiet() => VerifyAsync(
        """
        static class C
        {
            static readonly List<NativeArray<int>> Kept = new();

            static NativeArray<int> M(NativeBuffer<int> buffer)
            {
                using var a = new NativeArray<int>(4);
                using (var b = new NativeBuffer<byte>(4)) { b.Resize(8); }
                var c = new NativeArray<int>(4);
                c.Dispose();
                var d = new NativeArray<int>(4);
                Kept.Add(d);
                var e = buffer.AcquireView();
                Action release = () => e.Dispose();
                release();
                var f = new NativeArray<int>(4);
                f[0] = 2;
                return f;
            }
        }
        """);
}
