namespace LeakScope.Tracer.Tests;

/// <summary>
/// Strings a target can put into a report — its source paths and member names (sites) and its command line — that
/// try to break a report format: quotes and backslashes (JSON, SARIF), newlines and control characters (one finding
/// per line of text, terminal escape sequences), markup (<c>&lt;/script&gt;</c>, <c>&lt;</c>, <c>&amp;</c>, <c>]]&gt;</c>
/// for HTML and JUnit XML), Unicode line separators, bidirectional overrides, astral characters and a very long one.
/// Every report writer's tests use these: a writer must render each one without breaking its format or letting the
/// string add lines, elements or script.
/// </summary>
public static class HostileStrings
{
    /// <summary>Each hostile string with a short name for test output.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> Named =
    [
        ("double quote", "say \"hi\" \"\""),
        ("single quote", "it's 'quoted'"),
        ("backslashes", @"C:\src\App\Program.cs \\server\share \"),
        ("json breakout", "\", \"kind\": \"leak\", \"x\": \""),
        ("newline", "first\nsecond"),
        ("carriage return", "first\rsecond"),
        ("crlf", "first\r\nsecond"),
        ("injected finding line", "Program.cs:1\n  raw        1 block           1 B total  allocated at Evil.cs:666 (Injected)"),
        ("tab and vertical tab", "a\tb\vc\fd"),
        ("nul", "before\0after"),
        ("bell and backspace", "ding\a\b\b\b"),
        ("ansi escape", "\u001b[31mred\u001b[0m \u001b]0;title\u0007 \u001b[2J"),
        ("delete and c1", "del\u007f c1\u0085nel \u009b31m"),
        ("unicode line separators", "line\u2028separator\u2029paragraph"),
        ("bidi override", "evil\u202Egnp.cs\u202C \u2066isolate\u2069"),
        ("script end", "</script><script>alert(1)</script>"),
        ("markup", "<b onmouseover=\"alert(1)\">bold</b> <img src=x onerror=alert(1)>"),
        ("ampersands and entities", "a & b &amp; &lt; &#x3C; &nbsp"),
        ("comparison", "x < y > z"),
        ("cdata end", "]]> <![CDATA[ inner ]]>"),
        ("xml comment", "--> <!-- x -->"),
        ("processing instruction", "<?xml version=\"1.0\"?>"),
        ("template and format", "${{ secrets.TOKEN }} {0} %s %n $(whoami) `id`"),
        ("markdown", "**bold** [link](javascript:alert(1)) | pipe |"),
        ("unicode", "ünïcødé Ж 中文 עברית العربية"),
        ("astral", "emoji 😀🚀 math 𝔘𝔫𝔦"),
        ("combining", "e\u0301 a\u0308\u0308\u0308"),
        ("bom and zero width", "\uFEFFbom\u200Bzero\u200Dwidth"),
        ("noncharacters", "\uFFFE\uFFFF\uFDD0"),
        ("replacement", "\uFFFD"),
        ("whitespace only", "   "),
        ("empty", string.Empty),
        ("very long", string.Concat(Enumerable.Repeat("/very/long/path/segment", 400))),
    ];

    /// <summary>Just the strings.</summary>
    public static IReadOnlyList<string> All { get; } = Named.Select(n => n.Value).ToArray();

    /// <summary>For <c>[MemberData]</c>: the name of each hostile string (look the value up with <see cref="Get"/>).</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach ((string name, _) in Named)
            {
                data.Add(name);
            }

            return data;
        }
    }

    /// <summary>Characters that must never reach a text report raw: every control character but the report's own
    /// <c>\n</c> (C0, DEL, C1 — NEL among them), the Unicode line and paragraph separators, and the bidirectional
    /// embeddings, overrides and isolates that can make a line display as something else.</summary>
    public static char[] UnprintableInText { get; } =
        Enumerable.Range(0, 0x20).Where(c => c != '\n')
            .Concat(Enumerable.Range(0x7F, 0x21))
            .Concat([0x2028, 0x2029])
            .Concat(Enumerable.Range(0x202A, 5))
            .Concat(Enumerable.Range(0x2066, 4))
            .Select(c => (char)c)
            .ToArray();

    public static string Get(string name) => Named.Single(n => n.Name == name).Value;

    /// <summary>A source path built around a hostile string, as <c>[CallerFilePath]</c> would pass it.</summary>
    public static string File(string hostile) => $"/src/{hostile}/{hostile}.cs";
}
