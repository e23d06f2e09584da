using System.Reflection;

namespace LeakScope.Tests.Shared;

/// <summary>
/// The exceptions a library throws are its to create: a caller catches them and reads their properties, but has
/// no business constructing one (the fields would claim a misuse or a trace that never happened). So no public
/// exception type in a package may offer a constructor outside its assembly — public, protected or
/// protected internal — which also keeps a base exception from being subclassed by callers.
/// </summary>
internal static class ExceptionSurface
{
    /// <summary>Every exported exception type of <paramref name="assembly"/>.</summary>
    public static IReadOnlyList<Type> PublicExceptions(Assembly assembly) => assembly.GetExportedTypes()
        .Where(t => typeof(Exception).IsAssignableFrom(t))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The constructors callers outside the assembly could call, one line each (<c>Type(params) is public</c>).</summary>
    public static IReadOnlyList<string> ConstructorsOpenToCallers(Assembly assembly) => PublicExceptions(assembly)
        .SelectMany(t => t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        .Where(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly)
        .Select(c => $"{c.DeclaringType!.FullName}({string.Join(", ", c.GetParameters().Select(p => p.ParameterType.Name))}) is " +
                     (c.IsPublic ? "public" : c.IsFamily ? "protected" : "protected internal"))
        .ToArray();
}
