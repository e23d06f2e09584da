using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;

namespace LeakScope.Tracer.Tests.Gate;

public class SuppressionFileTests
{
    [Fact]
    public void Lines_are_kind_and_site_pattern_with_comments_and_blank_lines_ignored()
    {
        const string text = """
            # Known leaks, tracked in #123
            leak            src/Cache.cs:42 Add      # the cache lives for the process
            mismatched-free **/Legacy/*.cs

            *               Vendor/*.cs:10-20
            VIEW-LEAK       Buffers.cs
            """;
        IReadOnlyList<Suppression> suppressions = SuppressionFile.Parse(text, "ci.suppress");

        Assert.Equal(4, suppressions.Count);
        Assert.Equal((FindingKind?)FindingKind.Leak, suppressions[0].Kind);
        Assert.Equal("src/Cache.cs:42 Add", suppressions[0].Pattern.Text);
        Assert.Equal("ci.suppress:2", suppressions[0].Location);
        Assert.Equal((FindingKind?)FindingKind.MismatchedFree, suppressions[1].Kind);
        Assert.Null(suppressions[2].Kind);
        Assert.Equal((10, 20), (suppressions[2].Pattern.FromLine, suppressions[2].Pattern.ToLine));
        Assert.Equal(5, suppressions[2].Line);
        Assert.Equal((FindingKind?)FindingKind.ViewLeak, suppressions[3].Kind);
        Assert.Equal("leak src/Cache.cs:42 Add", suppressions[0].ToString());
    }

    [Theory]
    [InlineData("leek Program.cs", 1, "unknown finding kind 'leek'")]
    [InlineData("# ok\nleak", 2, "expected 'kind site-pattern'")]
    [InlineData("leak\tProgram.cs:12\r\ndouble-free a.cs b c", 2, "unexpected 'c'")]
    [InlineData("\n\nleak Program.cs:twelve", 3, "'twelve' is not a line number")]
    public void A_malformed_line_is_an_error_naming_the_file_and_line(string text, int line, string message)
    {
        var e = Assert.Throws<SuppressionFileException>(() => SuppressionFile.Parse(text, "gate.txt"));
        Assert.StartsWith($"gate.txt:{line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_suppression_file_error()
    {
        var e = Assert.Throws<SuppressionFileException>(() => SuppressionFile.Load("/nonexistent/leakscope.suppress"));
        Assert.Contains("/nonexistent/leakscope.suppress", e.Message, StringComparison.Ordinal);
    }
}
