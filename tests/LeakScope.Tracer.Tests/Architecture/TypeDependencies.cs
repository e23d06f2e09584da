using System.Reflection;
using System.Reflection.Emit;

namespace LeakScope.Tracer.Tests.Architecture;

/// <summary>
/// The types a type uses: its base type and interfaces, the types in its fields', properties', events' and methods'
/// signatures, and every type, method and field its method bodies name (read from the IL), generic arguments
/// included. Nested and compiler-generated types (lambdas, iterators, async state machines) count for the namespace
/// they are declared in.
/// </summary>
internal static class TypeDependencies
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Namespace → the namespaces its types use (itself excluded), for the namespaces under <paramref name="prefix"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> NamespaceGraph(Assembly assembly, string prefix)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Type type in assembly.GetTypes().Where(t => t.Namespace?.StartsWith(prefix, StringComparison.Ordinal) == true))
        {
            HashSet<string> uses = graph.TryGetValue(type.Namespace!, out HashSet<string>? set) ? set : graph[type.Namespace!] = [];
            foreach (Type used in Of(type))
            {
                if (used.Namespace is { } ns && ns != type.Namespace && ns.StartsWith(prefix, StringComparison.Ordinal))
                {
                    uses.Add(ns);
                }
            }
        }

        return graph.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>Every type <paramref name="type"/> uses in its declarations and method bodies.</summary>
    public static IReadOnlySet<Type> Of(Type type)
    {
        var used = new HashSet<Type>();
        Add(used, type.BaseType);
        foreach (Type i in type.GetInterfaces())
        {
            Add(used, i);
        }

        foreach (FieldInfo field in type.GetFields(Declared))
        {
            Add(used, field.FieldType);
        }

        foreach (PropertyInfo property in type.GetProperties(Declared))
        {
            Add(used, property.PropertyType);
        }

        foreach (EventInfo e in type.GetEvents(Declared))
        {
            Add(used, e.EventHandlerType);
        }

        foreach (MethodBase method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo m)
            {
                Add(used, m.ReturnType);
            }

            foreach (ParameterInfo parameter in method.GetParameters())
            {
                Add(used, parameter.ParameterType);
            }

            foreach (MemberInfo member in MembersNamedIn(method))
            {
                switch (member)
                {
                    case Type t:
                        Add(used, t);
                        break;
                    case FieldInfo f:
                        Add(used, f.DeclaringType);
                        Add(used, f.FieldType);
                        break;
                    case MethodBase callee:
                        Add(used, callee.DeclaringType);
                        if (callee is MethodInfo { IsGenericMethod: true } generic)
                        {
                            foreach (Type argument in generic.GetGenericArguments())
                            {
                                Add(used, argument);
                            }
                        }

                        break;
                }
            }
        }

        return used;
    }

    /// <summary>The types, fields and methods that <paramref name="method"/>'s IL names by metadata token.</summary>
    private static IEnumerable<MemberInfo> MembersNamedIn(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            OpCode op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    yield return method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments)!;
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                default:
                    at += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR => 4,
        _ => throw new InvalidOperationException($"an IL operand of type {operand} has no known size"),
    };

    /// <summary>Adds a type with its element type and generic arguments (a <c>List&lt;SuppressedFinding&gt;</c> uses both).</summary>
    private static void Add(HashSet<Type> used, Type? type)
    {
        if (type is null || type.IsGenericParameter || !used.Add(type))
        {
            return;
        }

        if (type.HasElementType)
        {
            Add(used, type.GetElementType());
        }

        if (type.IsGenericType)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                Add(used, argument);
            }
        }
    }
}
