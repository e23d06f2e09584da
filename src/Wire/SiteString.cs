using System.Text;

namespace LeakScope.Wire;

/// <summary>
/// How a site's file and member cross the wire in <c>SiteDefined</c> version 2. EventSource writes a string field as
/// UTF-16 up to a NUL, so a NUL inside a caller-info string would end the field early and shift every field after it;
/// and an event over EventPipe's 64 KB limit is dropped. So the writer escapes (<c>NUL</c> → <c>ESC '0'</c>,
/// <c>ESC</c> → <c>ESC ESC</c>), keeps at most <see cref="MaxEncodedChars"/> code units, and sends the original length
/// beside the string; the reader unescapes, and shows a string that was cut with <see cref="TruncationMarker"/>.
/// Every string up to the limit round-trips exactly.
/// </summary>
internal static class SiteString
{
    /// <summary>The escape character (U+001B, ESC).</summary>
    public const char Escape = '\u001B';

    /// <summary>After <see cref="Escape"/>: a NUL.</summary>
    public const char EscapedNul = '0';

    /// <summary>Most UTF-16 code units one encoded string may take: two of them, with the other fields, stay far below 64 KB.</summary>
    public const int MaxEncodedChars = 8192;

    /// <summary>The string to write for <paramref name="value"/>: the same instance when it needs neither escaping nor cutting.</summary>
    public static string Encode(string value)
    {
        if (value.Length <= MaxEncodedChars && value.AsSpan().IndexOfAny('\0', Escape) < 0)
        {
            return value;
        }

        var encoded = new StringBuilder(Math.Min(value.Length + 16, MaxEncodedChars));
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            bool escaped = c is '\0' or Escape;
            int width = escaped ? 2 : 1;
            bool splitsPair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            if (encoded.Length + width + (splitsPair ? 1 : 0) > MaxEncodedChars)
            {
                break;
            }

            if (escaped)
            {
                encoded.Append(Escape).Append(c == '\0' ? EscapedNul : Escape);
            }
            else
            {
                encoded.Append(c);
            }
        }

        return encoded.ToString();
    }

    /// <summary>
    /// Reads back what <see cref="Encode"/> wrote for a string of <paramref name="originalLength"/> code units. False
    /// when it cannot have come from <see cref="Encode"/> (a bad escape, or longer than the original): a corrupt event.
    /// A string that was cut comes back as its kept prefix followed by <see cref="TruncationMarker"/>.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> encoded, int originalLength, out string value, out bool truncated)
    {
        value = string.Empty;
        truncated = false;
        if (originalLength < 0)
        {
            return false;
        }

        string decoded;
        if (encoded.IndexOf(Escape) < 0)
        {
            decoded = new string(encoded);
        }
        else
        {
            var text = new StringBuilder(encoded.Length);
            for (int i = 0; i < encoded.Length; i++)
            {
                char c = encoded[i];
                if (c != Escape)
                {
                    text.Append(c);
                    continue;
                }

                if (++i == encoded.Length || (encoded[i] != EscapedNul && encoded[i] != Escape))
                {
                    return false;
                }

                text.Append(encoded[i] == EscapedNul ? '\0' : Escape);
            }

            decoded = text.ToString();
        }

        if (decoded.Length > originalLength)
        {
            return false;
        }

        truncated = decoded.Length < originalLength;
        value = truncated ? decoded + TruncationMarker(decoded.Length, originalLength) : decoded;
        return true;
    }

    /// <summary>What the tracer shows after the kept part of a string the allocator had to cut.</summary>
    public static string TruncationMarker(int kept, int originalLength) => $"…[cut: {kept} of {originalLength} characters]";
}
