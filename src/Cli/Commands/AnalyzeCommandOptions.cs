using LeakScope.Cli.Output;

namespace LeakScope.Cli.Commands;

/// <summary>What <c>leakscope analyze</c> was asked to do, parsed and validated.</summary>
internal sealed record AnalyzeCommandOptions(string File, ReportRequest Report)
{
    /// <summary><c>--stacks none</c> drops the stacks a recording holds; any other value keeps all of them.</summary>
    public bool Stacks { get; init; } = true;
}
