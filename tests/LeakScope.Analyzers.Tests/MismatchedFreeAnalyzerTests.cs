using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using LeakScope.Analyzers.CodeFixes;

namespace LeakScope.Analyzers.Tests;

public class MismatchedFreeAnalyzerTests
{
    private const string Usings = "using System;\nusing System.Runtime.InteropServices;\nusing LeakScope.Allocator;\n";

    private static Task VerifyAsync(string source)
    {
        var test = new CSharpAnalyzerTest<MismatchedFreeAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        TestCompilation.Configure(test);
        return test.RunAsync();
    }

    private static Task VerifyFixAsync(string source, string fixedSource)
    {
        var test = new CSharpCodeFixTest<MismatchedFreeAnalyzer, MismatchedFreeCodeFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
        };
        TestCompilation.Configure(test);
        return test.RunAsync();
    }

    [Fact]
    public Task An_hglobal_freed_by_FreeCoTaskMem_is_reported_on_the_free_and_fixed_to_FreeHGlobal() => VerifyFixAsync(
        """
        static class C
        {
            static void M()
            {
                IntPtr p = Marshal.AllocHGlobal(16);
                {|LS0001:Marshal.FreeCoTaskMem(p)|};
            }
        }
        """,
        """
        static class C
        {
            static void M()
            {
                IntPtr p = Marshal.AllocHGlobal(16);
                Marshal.FreeHGlobal(p);
            }
        }
        """);

    [Fact]
    public Task An_aligned_block_freed_by_NativeMemory_Free_is_fixed_to_AlignedFree() => VerifyFixAsync(
        """
        static unsafe class C
        {
            static void M()
            {
                byte* p = (byte*)NativeMemory.AlignedAlloc(64, 32);
                {|LS0001:NativeMemory.Free(p)|};
            }
        }
        """,
        """
        static unsafe class C
        {
            static void M()
            {
                byte* p = (byte*)NativeMemory.AlignedAlloc(64, 32);
                NativeMemory.AlignedFree(p);
            }
        }
        """);

    [Fact]
    public Task A_RawHeap_block_freed_by_PoolHeap_is_fixed_to_RawHeap_Free() => VerifyFixAsync(
        """
        static unsafe class C
        {
            static void M()
            {
                void* p = RawHeap.Malloc(64);
                {|LS0001:PoolHeap.Free(p)|};
            }
        }
        """,
        """
        static unsafe class C
        {
            static void M()
            {
                void* p = RawHeap.Malloc(64);
                RawHeap.Free(p);
            }
        }
        """);

    [Fact]
    public Task A_mismatch_across_pointer_kinds_is_reported_without_a_fix() => VerifyAsync(
        """
        static unsafe class C
        {
            static void M()
            {
                void* p = NativeMemory.Alloc(64);
                {|LS0001:Marshal.FreeHGlobal((IntPtr)p)|};
                IntPtr q = Marshal.AllocCoTaskMem(8);
                {|LS0001:Marshal.ReAllocHGlobal(q, 16)|};
            }
        }
        """);

    [Fact]
    public Task Matching_frees_unknown_sources_and_reassigned_locals_stay_quiet() => VerifyAsync(
        """
        static unsafe class C
        {
            static void M(IntPtr fromCaller, bool flag)
            {
                IntPtr a = Marshal.AllocHGlobal(16);
                a = Marshal.ReAllocHGlobal(a, 32);
                Marshal.FreeHGlobal(a);
                Marshal.FreeCoTaskMem(fromCaller);
                IntPtr s = Marshal.StringToHGlobalAnsi("x");
                Marshal.FreeCoTaskMem(s);
                void* b = flag ? NativeMemory.Alloc(8) : NativeMemory.AlignedAlloc(8, 8);
                NativeMemory.Free(b);
                void* c = NativeMemory.AlignedAlloc(8, 8);
                NativeMemory.AlignedFree(c);
                c = NativeMemory.Alloc(8);
                NativeMemory.Free(c);
                TrackedNativeMemory.Free(TrackedNativeMemory.Alloc(4));
            }
        }
        """);

    [Fact]
    public Task A_direct_nested_mismatch_is_reported() => VerifyAsync(
        """
        static class C
        {
            static void M() => {|LS0001:Marshal.FreeCoTaskMem(Marshal.AllocHGlobal(4))|};
        }
        """);
}
