using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace LeakScope.Analyzers.Tests;

public class ResizeWhileViewedAnalyzerTests
{
    private const string Usings = "using System;\nusing System.Runtime.CompilerServices;\nusing LeakScope.Allocator;\n";

    private static Task VerifyAsync(string source)
    {
        var test = new CSharpAnalyzerTest<ResizeWhileViewedAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        TestCompilation.Configure(test);
        return test.RunAsync();
    }

    [Fact]
    public Task Resize_and_Append_inside_the_views_using_are_reported() => VerifyAsync(
        """
        static class C
        {
            static void M(NativeBuffer<int> buffer)
            {
                using (BufferView<int> view = buffer.AcquireView())
                {
                    {|LS0002:buffer.Resize(10)|};
                    {|LS0002:buffer.Append(new int[] { 1 })|};
                }

                buffer.Resize(20);
            }
        }
        """);

    [Fact]
    public Task A_using_declaration_keeps_the_view_outstanding_to_the_end_of_its_block() => VerifyAsync(
        """
        static class C
        {
            static void M(NativeBuffer<int> buffer)
            {
                {
                    using var view = buffer.AcquireReadOnlyView();
                    {|LS0002:buffer.Resize(10)|};
                }

                buffer.Resize(20);
            }
        }
        """);

    [Fact]
    public Task A_plain_local_is_outstanding_until_its_Dispose() => VerifyAsync(
        """
        static class C
        {
            static void M()
            {
                using var buffer = new NativeBuffer<int>(4);
                var view = buffer.AcquireView();
                {|LS0002:buffer.Resize(8)|};
                view.Dispose();
                buffer.Resize(16);
                var other = new NativeBuffer<int>(4);
                using (other.AcquireView())
                {
                    buffer.Resize(32);
                }
                other.Dispose();
            }
        }
        """);

    [Fact]
    public Task The_seeds_Matrix_bug_is_caught_through_the_types_own_methods() => VerifyAsync(
        """
        sealed class Matrix : IDisposable
        {
            private readonly NativeBuffer<float> _storage = new(0);
            public int Columns { get; } = 3;
            public void AddRow() => _storage.Resize(_storage.Length + Columns);
            public StridedView<float> AcquireView() => _storage.AcquireStridedView(new[] { _storage.Length / Columns, Columns });
            public void Dispose() => _storage.Dispose();
        }

        static class Program
        {
            static void Main()
            {
                using var matrix = new Matrix();
                matrix.AddRow();
                using (StridedView<float> m = matrix.AcquireView())
                {
                    {|LS0002:matrix.AddRow()|};
                }

                matrix.AddRow();
            }
        }
        """);
}
