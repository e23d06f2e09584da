using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;

namespace LeakScope.Tracer.Tests.Gate;

public class SitePatternTests
{
    private static readonly SiteInfo Site = new(1, "/home/ci/repo/src/Interop/Handles.cs", 42, "ReleaseHandle");

    [Theory]
    [InlineData("Handles.cs", null, true)]
    [InlineData("handles.cs", null, false)] // case-sensitive, like the paths
    [InlineData("*.cs", null, true)]
    [InlineData("Handles.cs:42", null, true)]
    [InlineData("Handles.cs:41", null, false)]
    [InlineData("Handles.cs:40-50", null, true)]
    [InlineData("Handles.cs:43-50", null, false)]
    [InlineData("Handles.cs:*", "Release*", true)]
    [InlineData("Handles.cs", "Acquire*", false)]
    [InlineData("src/Interop/Handles.cs", null, true)]
    [InlineData("Interop/*.cs", null, true)]
    [InlineData("rc/Interop/Handles.cs", null, false)] // the tail must start at a segment boundary
    [InlineData("src/*.cs", null, false)] // * stays within one segment
    [InlineData("src/**/*.cs", null, true)]
    [InlineData("**/Handles.cs", null, true)]
    [InlineData("/home/ci/repo/src/Interop/Handles.cs:42", "ReleaseHandle", true)]
    [InlineData("/src/Interop/Handles.cs", null, false)] // a leading / anchors the whole path
    [InlineData("Handle?.cs", null, true)]
    [InlineData("*", "*", true)]
    public void Globs_match_file_line_and_member(string file, string? member, bool expected)
    {
        SitePattern? pattern = SitePattern.TryParse(file, member, out string? error);
        Assert.NotNull(pattern);
        Assert.Null(error);
        Assert.Equal(expected, pattern.Matches(Site));
    }

    [Fact]
    public void Windows_paths_match_with_forward_slashes()
    {
        SitePattern pattern = SitePattern.TryParse("Interop/Handles.cs:42", null, out _)!;
        Assert.True(pattern.Matches(new SiteInfo(1, @"C:\repo\src\Interop\Handles.cs", 42, "M")));
    }

    [Theory]
    [InlineData("Handles.cs:x")]
    [InlineData("Handles.cs:0")]
    [InlineData("Handles.cs:9-3")]
    [InlineData("Handles.cs:1-2-3")]
    [InlineData(":42")]
    public void Malformed_patterns_say_why(string file)
    {
        Assert.Null(SitePattern.TryParse(file, null, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
