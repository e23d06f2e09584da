using System.Threading;
using Microsoft.CodeAnalysis;

namespace LeakScope.Analyzers;

/// <summary>The name <c>[CallerMemberName]</c> would give a call at a position: lambdas and local functions name their member.</summary>
internal static class CallerMember
{
    public static string Of(SemanticModel model, int position, CancellationToken ct)
    {
        ISymbol? symbol = model.GetEnclosingSymbol(position, ct);
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
        {
            symbol = symbol.ContainingSymbol;
        }

        return symbol switch
        {
            IMethodSymbol { AssociatedSymbol: IPropertySymbol property } => property.MetadataName,
            IMethodSymbol { AssociatedSymbol: IEventSymbol @event } => @event.Name,
            IMethodSymbol method => method.MetadataName,
            IPropertySymbol property => property.MetadataName,
            null => string.Empty,
            _ => symbol.Name,
        };
    }
}
