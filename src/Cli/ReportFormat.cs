namespace LeakScope.Cli;

/// <summary>Report formats of this minimal command line (issue 5 adds sarif, junit, html).</summary>
public enum ReportFormat
{
    Text,
    Json,
}
