using System.CommandLine;

namespace LeakScope.Cli.Commands;

/// <summary>The options every command that writes a report shares: formats and destinations, the CI gate, the live view.</summary>
internal sealed class ReportOptions
{
    public Option<string[]> Format { get; } = new("--format", "-f")
    {
        Description = "Report format(s): text, json, sarif, junit, html. Repeat it or separate with commas; 'format=path' names the file. Default: text.",
        HelpName = "format[=path]",
    };

    public Option<string[]> Output { get; } = new("--output", "-o")
    {
        Description = "Where the reports go, in the order of the formats without '=path' ('-' is standard output). Default: standard output for a single format or for text; leakscope-report.<ext> for the others.",
        HelpName = "path",
    };

    public Option<string[]> FailOn { get; } = new("--fail-on")
    {
        Description = "The gate: exit 1 when a finding of these kinds is not suppressed. Kinds: leak, growth, mismatched-free, double-free, invalid-free, resize-with-views, view-leak, owner-finalized; or any (default), none; add 'incomplete' to also fail an incomplete account.",
        HelpName = "kinds",
    };

    public Option<string?> MaxLeakedBytes { get; } = new("--max-leaked-bytes")
    {
        Description = "Tolerate leaks up to this many bytes in total (suffixes K, M, G = KiB, MiB, GiB); leak findings then fail the gate only together, above the budget.",
        HelpName = "bytes",
    };

    public Option<string?> Suppressions { get; } = new("--suppressions")
    {
        Description = "A suppressions file: one 'kind file[:line] [member]' per line, globs allowed, '#' comments (docs/suppressions.md).",
        HelpName = "file",
    };

    public Option<string?> SourceRoot { get; } = new("--source-root")
    {
        Description = "Make source paths in SARIF and HTML relative to this directory (SARIF uriBaseId SRCROOT). Default: the current directory.",
        HelpName = "dir",
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No live view or progress; only the report and errors.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Format);
        command.Options.Add(Output);
        command.Options.Add(FailOn);
        command.Options.Add(MaxLeakedBytes);
        command.Options.Add(Suppressions);
        command.Options.Add(SourceRoot);
        command.Options.Add(Quiet);
    }
}
