using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace LeakScope.Analyzers.CodeFixes;

/// <summary>
/// LS0001's fix: call the free function of the family that allocated the block, keeping the argument — offered when that
/// function takes the same pointer type as the wrong one (Marshal ↔ Marshal, NativeMemory / RawHeap / PoolHeap).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MismatchedFreeCodeFix)), Shared]
public sealed class MismatchedFreeCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(Descriptors.MismatchedFree.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(MismatchedFreeAnalyzer.FixTypeKey, out string? type) || type is null
                || !diagnostic.Properties.TryGetValue(MismatchedFreeAnalyzer.FixMethodKey, out string? method) || method is null)
            {
                continue;
            }

            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                    .AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault() is not { Expression: MemberAccessExpressionSyntax access } invocation)
            {
                continue;
            }

            string title = $"Free with {ShortName(type)}.{method}";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => ReplaceAsync(context.Document, root, invocation, access, type, method, ct), equivalenceKey: title),
                diagnostic);
        }
    }

    private static Task<Document> ReplaceAsync(Document document, SyntaxNode root, InvocationExpressionSyntax invocation, MemberAccessExpressionSyntax access, string type, string method, CancellationToken ct)
    {
        // Keep the receiver as written when the right function is on the same type (Marshal.FreeCoTaskMem → Marshal.FreeHGlobal).
        ExpressionSyntax receiver = access.Expression.ToString().EndsWith(ShortName(type), System.StringComparison.Ordinal)
            ? access.Expression
            : SyntaxFactory.ParseExpression("global::" + type).WithAdditionalAnnotations(Simplifier.Annotation);
        MemberAccessExpressionSyntax replacement = access
            .WithExpression(receiver.WithTriviaFrom(access.Expression))
            .WithName(SyntaxFactory.IdentifierName(method).WithTriviaFrom(access.Name));
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(invocation, invocation.WithExpression(replacement))));
    }

    private static string ShortName(string type) => type.Substring(type.LastIndexOf('.') + 1);
}
