using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakScope.Analyzers;

/// <summary>
/// LS0003: a <c>NativeArray&lt;T&gt;</c> / <c>NativeBuffer&lt;T&gt;</c> created, or a view acquired, into a local that is
/// never disposed. Deliberately quiet whenever ownership might move: it reports only when every use of the local in the
/// member is a member access on it (an indexer, <c>Length</c>, <c>AsSpan()</c>, …) — no <c>using</c>, no <c>Dispose</c>,
/// not returned, passed, stored, or captured.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndisposedOwnerAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableHashSet<string> Owners = ImmutableHashSet.Create(
        "LeakScope.Allocator.NativeArray<T>",
        "LeakScope.Allocator.NativeBuffer<T>",
        "LeakScope.Allocator.BufferView<T>",
        "LeakScope.Allocator.ReadOnlyBufferView<T>",
        "LeakScope.Allocator.StridedView<T>");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.UndisposedOwner);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeDeclarator, OperationKind.VariableDeclarator);
    }

    private static void AnalyzeDeclarator(OperationAnalysisContext context)
    {
        var declarator = (IVariableDeclaratorOperation)context.Operation;
        if (declarator.Initializer is null || !IsOwner(declarator.Symbol.Type) || InUsing(declarator))
        {
            return;
        }

        IOperation created = OperationWalk.Strip(declarator.Initializer.Value);
        bool fresh = created is IObjectCreationOperation
            || (created is IInvocationOperation call && call.TargetMethod.Name.StartsWith("Acquire", System.StringComparison.Ordinal));
        if (!fresh)
        {
            return;
        }

        foreach (ILocalReferenceOperation use in OperationWalk.Root(declarator).Descendants().OfType<ILocalReferenceOperation>())
        {
            if (SymbolEqualityComparer.Default.Equals(use.Local, declarator.Symbol) && !OnlyReadsMembers(use))
            {
                return;
            }
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.UndisposedOwner,
            declarator.Syntax.GetLocation(),
            declarator.Symbol.Name,
            declarator.Symbol.Type.Name));
    }

    /// <summary>The local is the receiver of a member that is not Dispose, outside any lambda or local function.</summary>
    private static bool OnlyReadsMembers(ILocalReferenceOperation use)
    {
        for (IOperation? node = use.Parent; node is not null; node = node.Parent)
        {
            if (node is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return false;
            }
        }

        return use.Parent switch
        {
            IInvocationOperation invocation => ReferenceEquals(invocation.Instance, use) && invocation.TargetMethod.Name is not ("Dispose" or "DisposeAsync"),
            IPropertyReferenceOperation property => ReferenceEquals(property.Instance, use),
            _ => false,
        };
    }

    private static bool InUsing(IVariableDeclaratorOperation declarator)
    {
        for (IOperation? node = declarator.Parent; node is not null and not IBlockOperation; node = node.Parent)
        {
            if (node is IUsingOperation or IUsingDeclarationOperation)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsOwner(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && Owners.Contains(named.OriginalDefinition.ToDisplayString());
}
