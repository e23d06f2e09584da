using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakScope.Analyzers;

/// <summary>
/// LS0001: within one member, a block freed (or reallocated) by another family than the one that allocated it —
/// <c>Marshal.AllocHGlobal</c> → <c>Marshal.FreeCoTaskMem</c>, <c>NativeMemory.AlignedAlloc</c> → <c>NativeMemory.Free</c>,
/// <c>RawHeap.Malloc</c> → <c>PoolHeap.Free</c>. Reported on the freeing call, only when every value the freed local
/// held before the call came from one known allocation family (quiet when it cannot tell).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MismatchedFreeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic properties for the code fix: the type and method that free the block correctly.</summary>
    public const string FixTypeKey = "FreeType";
    public const string FixMethodKey = "FreeMethod";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.MismatchedFree);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var free = (IInvocationOperation)context.Operation;
        MemoryApi? api = MemoryApis.Find(free.TargetMethod);
        if (api is null || api.Role == MemoryRole.Allocate || free.Arguments.Length == 0)
        {
            return;
        }

        IArgumentOperation? pointer = free.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
        if (pointer is null)
        {
            return;
        }

        (MemoryFamily family, IOperation? allocation) = SourceFamily(OperationWalk.Strip(pointer.Value), free);
        if (family == MemoryFamily.Unknown || family == api.Family || allocation is null)
        {
            return;
        }

        bool tracked = api.ContainingType is MemoryApis.TrackedNativeMemory or MemoryApis.TrackedMarshal;
        (string Type, string Name)? right = MemoryApis.FreeOf(family, tracked);
        if (right is null)
        {
            return;
        }

        var properties = ImmutableDictionary<string, string?>.Empty;
        if (MemoryApis.TakesPointer(family) == MemoryApis.TakesPointer(api.Family))
        {
            properties = properties.Add(FixTypeKey, right.Value.Type).Add(FixMethodKey, right.Value.Name);
        }

        int allocationLine = allocation.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.MismatchedFree,
            free.Syntax.GetLocation(),
            properties,
            ShortName(api.ContainingType) + "." + api.Name,
            MemoryApis.Describe(family),
            allocationLine,
            ShortName(right.Value.Type) + "." + right.Value.Name));
    }

    /// <summary>The family a freed value was allocated by, and the allocating call; Unknown unless every source agrees.</summary>
    private static (MemoryFamily, IOperation?) SourceFamily(IOperation value, IInvocationOperation free)
    {
        if (value is IInvocationOperation direct)
        {
            return AllocationFamily(direct);
        }

        if (value is not ILocalReferenceOperation local)
        {
            return (MemoryFamily.Unknown, null);
        }

        List<IOperation> stored = OperationWalk.ValuesStoredBefore(OperationWalk.Root(free), local.Local, free.Syntax.SpanStart);
        MemoryFamily family = MemoryFamily.Unknown;
        IOperation? last = null;
        foreach (IOperation source in stored)
        {
            (MemoryFamily f, IOperation? call) = OperationWalk.Strip(source) is IInvocationOperation invocation
                ? AllocationFamily(invocation)
                : (MemoryFamily.Unknown, null);
            if (f == MemoryFamily.Unknown || (family != MemoryFamily.Unknown && f != family))
            {
                return (MemoryFamily.Unknown, null);
            }

            family = f;
            if (last is null || call!.Syntax.SpanStart > last.Syntax.SpanStart)
            {
                last = call;
            }
        }

        return (family, last);
    }

    private static (MemoryFamily, IOperation?) AllocationFamily(IInvocationOperation invocation)
    {
        MemoryApi? api = MemoryApis.Find(invocation.TargetMethod);
        return api is { Role: MemoryRole.Allocate or MemoryRole.Reallocate } ? (api.Family, invocation) : (MemoryFamily.Unknown, null);
    }

    private static string ShortName(string type) => type.Substring(type.LastIndexOf('.') + 1);
}
