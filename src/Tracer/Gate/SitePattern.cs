using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Gate;

/// <summary>
/// A glob over a finding's site: <c>file[:line][ member]</c>. In the file part <c>*</c> matches within one path
/// segment, <c>**</c> across segments and <c>?</c> one character; a pattern without <c>/</c> matches the file name,
/// one starting with <c>/</c> the whole path, any other the path's tail at a segment boundary. The line is a
/// number, a range <c>10-20</c> or <c>*</c>; the member is a glob where <c>*</c> matches anything.
/// Backslashes in recorded paths are read as <c>/</c>. Matching never backtracks (<see cref="RegexOptions.NonBacktracking"/>):
/// its time is linear in the site's length for a given pattern, so no pattern (<c>**/</c> repeated sixty times) can stall the gate.
/// </summary>
public sealed class SitePattern
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private readonly Regex _file;
    private readonly Regex? _member;

    private SitePattern(string text, Regex file, int? fromLine, int? toLine, Regex? member)
    {
        Text = text;
        _file = file;
        FromLine = fromLine;
        ToLine = toLine;
        _member = member;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>The first line of the pattern's line range, or null when it names no line.</summary>
    public int? FromLine { get; }

    /// <summary>The last line of the pattern's line range, or null when it names no line.</summary>
    public int? ToLine { get; }

    /// <summary>Parses <paramref name="file"/> (with an optional <c>:line</c>) and an optional member glob; null and an error when malformed.</summary>
    public static SitePattern? TryParse(string file, string? member, out string? error)
    {
        error = null;
        int? from = null, to = null;
        string path = file;
        int colon = file.LastIndexOf(':');
        if (colon >= 0)
        {
            string line = file[(colon + 1)..];
            path = file[..colon];
            if (line != "*")
            {
                string[] range = line.Split('-');
                if (range.Length > 2 || !TryLine(range[0], out int first) || !TryLine(range[^1], out int last) || last < first)
                {
                    error = $"'{line}' is not a line number, a range like 10-20, or *";
                    return null;
                }

                (from, to) = (first, last);
            }
        }

        if (path.Length == 0)
        {
            error = "the site pattern has no file part (use * for any file)";
            return null;
        }

        string text = member is null ? file : $"{file} {member}";
        Regex? memberRegex = member is null ? null : new Regex("^" + MemberGlob(member) + "$", Options);
        return new SitePattern(text, new Regex(FileRegex(path), Options), from, to, memberRegex);
    }

    /// <summary>Whether <paramref name="site"/>'s file, line and member fall under the pattern.</summary>
    public bool Matches(SiteInfo site)
    {
        if (FromLine is { } from && (site.Line < from || site.Line > ToLine))
        {
            return false;
        }

        if (_member is not null && !_member.IsMatch(site.Member))
        {
            return false;
        }

        return _file.IsMatch(site.File.Replace('\\', '/'));
    }

    /// <summary>The pattern as written, <see cref="Text"/>.</summary>
    public override string ToString() => Text;

    private static bool TryLine(string text, out int line) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out line) && line > 0;

    private static string FileRegex(string pattern)
    {
        string body = FileGlob(pattern);
        if (pattern.StartsWith('/'))
        {
            return "^" + body + "$";
        }

        // No slash: the file name. Otherwise: the path's tail from a segment boundary (or the whole relative path).
        return "(^|/)" + body + "$";
    }

    private static string FileGlob(string pattern)
    {
        var regex = new StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // "**/" also matches no directory at all.
                bool slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return regex.ToString();
    }

    private static string MemberGlob(string pattern)
    {
        var regex = new StringBuilder();
        foreach (char c in pattern)
        {
            regex.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }

        return regex.ToString();
    }
}
