using System.Globalization;
using System.Text;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// Makes a string from the target (a site's file or member, the command line) safe for a line of the text report:
/// control characters (C0, DEL, C1), the Unicode line and paragraph separators and the bidirectional embeddings,
/// overrides and isolates are written as escapes (<c>\n</c>, <c>\t</c>, <c>\u202E</c>…), so no target can add lines
/// to the report, send terminal escape sequences or make a line display as something else. Everything else —
/// quotes, backslashes, markup, any printable Unicode — is kept as it is.
/// </summary>
public static class PrintableText
{
    /// <summary>The text with every character that could change the report's layout or display escaped; null reads as empty.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        int first = IndexOfUnprintable(text);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsUnprintable(c))
            {
                escaped.Append(c);
                continue;
            }

            escaped.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            });
        }

        return escaped.ToString();
    }

    private static int IndexOfUnprintable(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnprintable(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnprintable(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
