namespace LeakScope.Tracer.Sessions;

/// <summary>
/// A command to start under the tracer, suspended until the session is up. Its standard output and error
/// pass straight through to the tracer's own (inherited) unless writers are given to copy them to.
/// </summary>
public sealed record LaunchSpec(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Copy the child's standard output here, line by line, instead of letting it inherit the tracer's.</summary>
    public TextWriter? StandardOutput { get; init; }

    /// <summary>Copy the child's standard error here, line by line, instead of letting it inherit the tracer's.</summary>
    public TextWriter? StandardError { get; init; }

    /// <summary>Extra environment variables for the child.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The child's working directory; null: the tracer's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The longest wait for the child's runtime to connect to the tracer's diagnostic port.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The command as reports name it: the file and its arguments, quoted where needed.</summary>
    public string CommandLine => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(Quote));

    private static string Quote(string s) => s.Length > 0 && !s.Any(char.IsWhiteSpace) && !s.Contains('"') ? s : $"\"{s.Replace("\"", "\\\"")}\"";
}
