namespace LeakScope.Tracer.Reporting;

/// <summary>
/// What a report writer needs beyond the report: <see cref="SourceRoot"/>, the directory that site paths are made
/// relative to (SARIF <c>SRCROOT</c>, HTML links; null: keep absolute paths); <see cref="ToolVersion"/>.
/// </summary>
public sealed record ReportContext
{
    /// <summary>No source root; this assembly's version.</summary>
    public static readonly ReportContext Default = new();

    /// <summary>The directory site paths are made relative to; null keeps them absolute.</summary>
    public string? SourceRoot { get; init; }

    /// <summary>The version the reports name as the tool's (SARIF <c>tool.driver.version</c>, HTML footer).</summary>
    public string ToolVersion { get; init; } = typeof(ReportContext).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The path relative to <see cref="SourceRoot"/> with '/' separators, or null when it is not under it.</summary>
    public string? Relative(string path)
    {
        if (SourceRoot is null || path.Length == 0 || !Path.IsPathRooted(path))
        {
            return null;
        }

        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(SourceRoot)) + "/";
        string full = Path.GetFullPath(path);
        return full.StartsWith(root, StringComparison.Ordinal) ? full[root.Length..] : null;
    }
}
