using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Gate;

/// <summary>
/// Reads a suppressions file (docs/suppressions.md): one suppression per line, <c>kind site-pattern</c> where the
/// kind is a finding kind or <c>*</c> and the site pattern is <c>file[:line][ member]</c> (<see cref="SitePattern"/>);
/// <c>#</c> starts a comment; blank lines are ignored. Any other line is an error naming the file and line.
/// </summary>
public static class SuppressionFile
{
    /// <summary>Reads and parses the suppressions file at <paramref name="path"/>.</summary>
    /// <exception cref="SuppressionFileException">The file cannot be read, or a line is malformed.</exception>
    public static IReadOnlyList<Suppression> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SuppressionFileException($"cannot read suppressions file {path}: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses suppressions from <paramref name="text"/>; <paramref name="source"/> names it in the suppressions and in errors.</summary>
    /// <exception cref="SuppressionFileException">A line is malformed (the message names the source and line).</exception>
    public static IReadOnlyList<Suppression> Parse(string text, string source)
    {
        var suppressions = new List<Suppression>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line[..hash];
            }

            string[] tokens = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0)
            {
                continue;
            }

            int number = i + 1;
            FindingKind? kind = null;
            if (tokens[0] != "*")
            {
                if (!FindingKinds.TryParse(tokens[0], out FindingKind parsed))
                {
                    throw Malformed(source, number, $"unknown finding kind '{tokens[0]}' (expected one of {string.Join(", ", FindingKinds.All.Select(k => k.Name))}, or *)");
                }

                kind = parsed;
            }

            if (tokens.Length < 2)
            {
                throw Malformed(source, number, "expected 'kind site-pattern', e.g. 'leak src/Cache.cs:42 Add'");
            }

            if (tokens.Length > 3)
            {
                throw Malformed(source, number, $"unexpected '{tokens[3]}': a suppression is 'kind file[:line] [member]'");
            }

            SitePattern? pattern = SitePattern.TryParse(tokens[1], tokens.Length > 2 ? tokens[2] : null, out string? error);
            if (pattern is null)
            {
                throw Malformed(source, number, error!);
            }

            suppressions.Add(new Suppression(kind, pattern, source, number));
        }

        return suppressions;
    }

    private static SuppressionFileException Malformed(string source, int line, string message) =>
        new($"{source}:{line}: {message}");
}
