using System.CommandLine;

namespace LeakScope.Cli.Commands;

/// <summary>Options shared by the commands that write a report.</summary>
internal static class CommonOptions
{
    public static Option<ReportFormat> Format() => new("--format")
    {
        Description = "Report format: text or json.",
        DefaultValueFactory = _ => ReportFormat.Text,
    };

    public static Option<string?> Output() => new("--output", "-o")
    {
        Description = "Write the report to this file instead of standard output.",
    };
}
