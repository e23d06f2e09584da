using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace LeakScope.Analyzers;

/// <summary>Small helpers over IOperation trees shared by the LS analyzers.</summary>
internal static class OperationWalk
{
    /// <summary>The operation under any conversions and parentheses.</summary>
    public static IOperation Strip(IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>The outermost operation of the member body containing <paramref name="operation"/>.</summary>
    public static IOperation Root(IOperation operation)
    {
        while (operation.Parent is not null)
        {
            operation = operation.Parent;
        }

        return operation;
    }

    /// <summary>The values stored into <paramref name="local"/> anywhere in <paramref name="root"/> before <paramref name="position"/>.</summary>
    public static List<IOperation> ValuesStoredBefore(IOperation root, ILocalSymbol local, int position)
    {
        var values = new List<IOperation>();
        foreach (IOperation operation in root.Descendants())
        {
            if (operation.Syntax.SpanStart >= position)
            {
                continue;
            }

            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local) && declarator.Initializer is not null:
                    values.Add(declarator.Initializer.Value);
                    break;
                case ISimpleAssignmentOperation assignment when Strip(assignment.Target) is ILocalReferenceOperation target
                                                               && SymbolEqualityComparer.Default.Equals(target.Local, local):
                    values.Add(assignment.Value);
                    break;
                case IAssignmentOperation other when other is not ISimpleAssignmentOperation && Strip(other.Target) is ILocalReferenceOperation t
                                                      && SymbolEqualityComparer.Default.Equals(t.Local, local):
                    values.Add(other); // p += n and the like: not a known allocation.
                    break;
            }
        }

        return values;
    }

    /// <summary>The symbol a receiver names (a local, parameter, or a field / property of this), or null.</summary>
    public static ISymbol? ReceiverSymbol(IOperation? receiver) => receiver is null ? null : Strip(receiver) switch
    {
        ILocalReferenceOperation l => l.Local,
        IParameterReferenceOperation p => p.Parameter,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } f => f.Field,
        IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation } p => p.Property,
        _ => null,
    };
}
