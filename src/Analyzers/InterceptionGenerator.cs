using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LeakScope.Analyzers;

/// <summary>
/// With <c>&lt;LeakScopeIntercept&gt;true&lt;/LeakScopeIntercept&gt;</c>, routes every call in the project to
/// <c>NativeMemory.Alloc/AllocZeroed/Realloc/Free/AlignedAlloc/AlignedRealloc/AlignedFree</c> and
/// <c>Marshal.AllocHGlobal/ReAllocHGlobal/FreeHGlobal/AllocCoTaskMem/ReAllocCoTaskMem/FreeCoTaskMem</c> to the same-named
/// member of <c>TrackedNativeMemory</c> / <c>TrackedMarshal</c> through a C# interceptor, passing the original call's
/// file, line and member as the site. Only invocations compiled in this project are rerouted (not method groups, not
/// other assemblies). Off by default: without the property nothing is generated.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class InterceptionGenerator : IIncrementalGenerator
{
    /// <summary>The MSBuild property (made compiler-visible by the package's targets).</summary>
    public const string EnableProperty = "build_property.LeakScopeIntercept";

    /// <summary>The namespace of the generated interceptors; the package's targets add it to <c>InterceptorsNamespaces</c>.</summary>
    public const string GeneratedNamespace = "LeakScope.Interception.Generated";

    /// <summary>The allocator's per-call-site object, passed by the generated interceptors when the allocator has it.</summary>
    public const string TrackedSiteType = "LeakScope.Allocator.TrackedSite";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<bool> enabled = context.AnalyzerConfigOptionsProvider.Select(
            static (options, _) => options.GlobalOptions.TryGetValue(EnableProperty, out string? value)
                && string.Equals(value?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase));

        IncrementalValueProvider<bool> trackedApiReferenced = context.CompilationProvider.Select(
            static (compilation, _) => compilation.GetTypeByMetadataName(MemoryApis.TrackedNativeMemory) is not null
                && compilation.GetTypeByMetadataName(MemoryApis.TrackedMarshal) is not null);

        // An allocator with TrackedSite takes the site as one object per call, created once (a field read per call
        // instead of a lookup of the caller-info strings); an older one gets the strings.
        IncrementalValueProvider<bool> sitesAvailable = context.CompilationProvider.Select(
            static (compilation, _) => compilation.GetTypeByMetadataName(TrackedSiteType) is not null);

        IncrementalValuesProvider<InterceptedCall> calls = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => IsCandidate(node),
                static (syntax, ct) => Describe(syntax, ct))
            .Where(static call => call is not null)
            .Select(static (call, _) => call!);

        IncrementalValueProvider<(((bool Enabled, bool Referenced) Settings, bool Sites) Options, ImmutableArray<InterceptedCall> Calls)> all =
            enabled.Combine(trackedApiReferenced).Combine(sitesAvailable).Combine(calls.Collect());

        context.RegisterSourceOutput(all, static (spc, input) =>
        {
            if (!input.Options.Settings.Enabled)
            {
                return;
            }

            if (!input.Options.Settings.Referenced)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Descriptors.InterceptionWithoutAllocator, Location.None));
                return;
            }

            if (input.Calls.IsDefaultOrEmpty)
            {
                return;
            }

            spc.AddSource("LeakScopeInterceptors.g.cs", Emit(input.Calls, input.Options.Sites));
        });
    }

    private static bool IsCandidate(SyntaxNode node) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name: SimpleNameSyntax name } }
        && MemoryApis.Names.Contains(name.Identifier.ValueText);

    private static InterceptedCall? Describe(GeneratorSyntaxContext syntax, CancellationToken ct)
    {
        var invocation = (InvocationExpressionSyntax)syntax.Node;
        if (syntax.SemanticModel.GetSymbolInfo(invocation, ct).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        MemoryApi? api = MemoryApis.Find(method);
        if (api?.TrackedType is null)
        {
            return null;
        }

        var location = syntax.SemanticModel.GetInterceptableLocation(invocation, ct);
        if (location is null)
        {
            return null;
        }

        var name = ((MemberAccessExpressionSyntax)invocation.Expression).Name;
        int line = name.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
        string member = CallerMember.Of(syntax.SemanticModel, invocation.SpanStart, ct);
        string parameters = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
        bool pointers = method.ReturnType.TypeKind == TypeKind.Pointer || method.Parameters.Any(p => p.Type.TypeKind == TypeKind.Pointer);
        return new InterceptedCall(
            api.TrackedType,
            method.Name,
            method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            parameters,
            pointers,
            location.Version,
            location.Data,
            location.GetDisplayLocation(),
            invocation.SyntaxTree.FilePath,
            line,
            member);
    }

    private static string Emit(ImmutableArray<InterceptedCall> calls, bool sites)
    {
        var source = new StringBuilder();
        source.AppendLine("// <auto-generated by LeakScope.Analyzers.InterceptionGenerator: LeakScopeIntercept=true />");
        source.AppendLine("#nullable enable");
        source.AppendLine();
        source.AppendLine("namespace System.Runtime.CompilerServices");
        source.AppendLine("{");
        source.AppendLine("    [global::System.AttributeUsage(global::System.AttributeTargets.Method, AllowMultiple = true)]");
        source.AppendLine("    file sealed class InterceptsLocationAttribute : global::System.Attribute");
        source.AppendLine("    {");
        source.AppendLine("        public InterceptsLocationAttribute(int version, string data)");
        source.AppendLine("        {");
        source.AppendLine("        }");
        source.AppendLine("    }");
        source.AppendLine("}");
        source.AppendLine();
        source.AppendLine("namespace " + GeneratedNamespace);
        source.AppendLine("{");
        source.AppendLine("    /// <summary>Each method stands in for one NativeMemory / Marshal call of this project and names its site.</summary>");
        source.AppendLine("    file static class LeakScopeInterceptors");
        source.AppendLine("    {");

        int index = 0;
        foreach (InterceptedCall call in calls.OrderBy(c => c.FilePath, System.StringComparer.Ordinal).ThenBy(c => c.Line).ThenBy(c => c.Data, System.StringComparer.Ordinal))
        {
            string[] types = call.ParameterTypes.Length == 0 ? new string[0] : call.ParameterTypes.Split(new[] { ", " }, System.StringSplitOptions.None);
            string parameters = string.Join(", ", types.Select((t, i) => t + " arg" + i));
            string arguments = string.Join(", ", types.Select((_, i) => "arg" + i));
            if (index > 0)
            {
                source.AppendLine();
            }

            string site = $"{Literal(call.FilePath)}, {call.Line}, {Literal(call.Member)}";
            source.AppendLine("        // " + call.DisplayLocation);
            if (sites)
            {
                source.AppendLine($"        private static readonly global::{TrackedSiteType} s_site{index} = new({site});");
                source.AppendLine();
            }

            source.AppendLine($"        [global::System.Runtime.CompilerServices.InterceptsLocationAttribute({call.Version}, {Literal(call.Data)})]");
            source.AppendLine($"        public static {(call.Pointers ? "unsafe " : string.Empty)}{call.ReturnType} {call.Method}_{index}({parameters}) =>");
            string separator = arguments.Length > 0 ? ", " : string.Empty;
            source.AppendLine(sites
                ? $"            global::{call.TrackedType}.{call.Method}({arguments}{separator}s_site{index});"
                : $"            global::{call.TrackedType}.{call.Method}({arguments}{separator}file: {Literal(call.FilePath)}, line: {call.Line}, member: {Literal(call.Member)});");
            index++;
        }

        source.AppendLine("    }");
        source.AppendLine("}");
        return source.ToString();
    }

    private static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}

/// <summary>One call to reroute: everything the emitted interceptor needs, as values (cached by the incremental pipeline).</summary>
internal sealed record InterceptedCall(
    string TrackedType,
    string Method,
    string ReturnType,
    string ParameterTypes,
    bool Pointers,
    int Version,
    string Data,
    string DisplayLocation,
    string FilePath,
    int Line,
    string Member);
