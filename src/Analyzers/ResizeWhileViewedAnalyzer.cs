using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace LeakScope.Analyzers;

/// <summary>
/// LS0002: <c>NativeBuffer&lt;T&gt;.Resize</c> / <c>Append</c> called, in the same member, while a view acquired from the same
/// buffer is not yet disposed — it is bound to throw <c>BufferBusyException</c>. A view counts as outstanding inside its
/// <c>using</c> statement, for the rest of the block of a <c>using</c> declaration, and for a plain local until a
/// <c>Dispose()</c> call on it. One level through the user's own types too: a method of a type whose body acquires a view
/// of (or resizes / appends to) one of its <c>NativeBuffer</c> fields counts as doing so on that field — the seed's
/// <c>Matrix.AcquireView</c> / <c>Matrix.AddRow</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ResizeWhileViewedAnalyzer : DiagnosticAnalyzer
{
    private const string NativeBuffer = "LeakScope.Allocator.NativeBuffer<T>";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptors.ResizeWhileViewed);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var resize = (IInvocationOperation)context.Operation;
        if (Classify(resize.TargetMethod, context.CancellationToken) is not (BufferUse.Resize, var resizedField))
        {
            return;
        }

        ISymbol? buffer = OperationWalk.ReceiverSymbol(resize.Instance);
        if (buffer is null)
        {
            return;
        }

        int position = resize.Syntax.SpanStart;
        foreach (IInvocationOperation acquire in OperationWalk.Root(resize).Descendants().OfType<IInvocationOperation>())
        {
            if (acquire.Syntax.SpanStart >= position
                || Classify(acquire.TargetMethod, context.CancellationToken) is not (BufferUse.Acquire, var viewedField)
                || !SymbolEqualityComparer.Default.Equals(resizedField, viewedField)
                || !SymbolEqualityComparer.Default.Equals(OperationWalk.ReceiverSymbol(acquire.Instance), buffer)
                || !OutstandingAt(acquire, resize))
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.ResizeWhileViewed,
                resize.Syntax.GetLocation(),
                resize.TargetMethod.Name,
                buffer.Name,
                acquire.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1));
            return;
        }
    }

    /// <summary>Whether the view <paramref name="acquire"/> returns is still undisposed where <paramref name="resize"/> runs.</summary>
    private static bool OutstandingAt(IInvocationOperation acquire, IInvocationOperation resize)
    {
        int position = resize.Syntax.SpanStart;

        // A using statement or declaration decides first: the view's declarator sits inside it.
        for (IOperation? node = acquire.Parent; node is not null and not IBlockOperation; node = node.Parent)
        {
            if (node is IUsingOperation usingStatement && IsResourceOf(acquire, usingStatement))
            {
                // using (var v = buffer.AcquireView()) { … }: outstanding inside the body only.
                return usingStatement.Body.Syntax.Span.Contains(position);
            }

            if (node is IUsingDeclarationOperation usingDeclaration)
            {
                // using var v = buffer.AcquireView(); — disposed at the end of the enclosing block.
                SyntaxNode? block = usingDeclaration.Syntax.Parent;
                while (block is not null and not BlockSyntax and not SwitchSectionSyntax and not GlobalStatementSyntax)
                {
                    block = block.Parent;
                }

                // Top-level statements: disposed when Main ends.
                return block is GlobalStatementSyntax || (block is not null && block.Span.Contains(position));
            }
        }

        for (IOperation? node = acquire.Parent; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case IVariableDeclaratorOperation declarator:
                    return !DisposedBetween(declarator.Symbol, acquire, resize);

                case ISimpleAssignmentOperation assignment when OperationWalk.Strip(assignment.Target) is ILocalReferenceOperation local:
                    return !DisposedBetween(local.Local, acquire, resize);

                case IBlockOperation:
                case IExpressionStatementOperation:
                    // Acquired and dropped (or used inline): a leaked view, not what this rule reports.
                    return false;
            }
        }

        return false;
    }

    private static bool IsResourceOf(IInvocationOperation acquire, IUsingOperation usingStatement) =>
        usingStatement.Resources.Syntax.Span.Contains(acquire.Syntax.Span);

    private static bool DisposedBetween(ILocalSymbol view, IInvocationOperation acquire, IInvocationOperation resize) =>
        OperationWalk.Root(resize).Descendants().OfType<IInvocationOperation>().Any(call =>
            call.TargetMethod.Name == "Dispose"
            && call.Syntax.SpanStart > acquire.Syntax.SpanStart
            && call.Syntax.SpanStart < resize.Syntax.SpanStart
            && OperationWalk.ReceiverSymbol(call.Instance) is ILocalSymbol disposed
            && SymbolEqualityComparer.Default.Equals(disposed, view));

    private enum BufferUse
    {
        None,
        Acquire,
        Resize,
    }

    /// <summary>
    /// What a method does to a buffer: NativeBuffer's own Acquire…/Resize/Append (field null: on the receiver itself), or —
    /// for a method of a type in source — the same done in its body to one of the type's NativeBuffer fields (that field).
    /// </summary>
    private static (BufferUse Use, IFieldSymbol? Field) Classify(IMethodSymbol method, System.Threading.CancellationToken ct)
    {
        BufferUse direct = DirectUse(method);
        if (direct != BufferUse.None)
        {
            return (direct, null);
        }

        if (method.IsStatic || method.DeclaringSyntaxReferences.Length == 0)
        {
            return (BufferUse.None, null);
        }

        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode body = reference.GetSyntax(ct);
            foreach (InvocationExpressionSyntax call in body.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (call.Expression is not MemberAccessExpressionSyntax access)
                {
                    continue;
                }

                string? fieldName = access.Expression switch
                {
                    IdentifierNameSyntax id => id.Identifier.ValueText,
                    MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } viaThis => viaThis.Name.Identifier.ValueText,
                    _ => null,
                };
                if (fieldName is null)
                {
                    continue;
                }

                IFieldSymbol? field = method.ContainingType.GetMembers(fieldName).OfType<IFieldSymbol>().FirstOrDefault(f => !f.IsStatic && IsNativeBuffer(f.Type));
                if (field is null)
                {
                    continue;
                }

                string name = access.Name.Identifier.ValueText;
                if (name.StartsWith("Acquire", System.StringComparison.Ordinal))
                {
                    return (BufferUse.Acquire, field);
                }

                if (name is "Resize" or "Append")
                {
                    return (BufferUse.Resize, field);
                }
            }
        }

        return (BufferUse.None, null);
    }

    private static BufferUse DirectUse(IMethodSymbol method)
    {
        if (!IsNativeBuffer(method.ContainingType))
        {
            return BufferUse.None;
        }

        if (method.Name is "Resize" or "Append")
        {
            return BufferUse.Resize;
        }

        return method.Name.StartsWith("Acquire", System.StringComparison.Ordinal) ? BufferUse.Acquire : BufferUse.None;
    }

    private static bool IsNativeBuffer(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && named.OriginalDefinition.ToDisplayString() == NativeBuffer;
}
