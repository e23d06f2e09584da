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

    [Theory]
    [InlineData(60, "*")]
    [InlineData(200, "*")]
    [InlineData(60, "**/")]
    public async Task A_pattern_of_many_stars_matches_in_bounded_time(int repeats, string star)
    {
        // 'leak' + '**/' x 60 + 'x.cs' took 61 s against one site when globs backtracked. Linear matching answers a
        // thousand sites, matching and not, far inside the bound (generous: a busy machine must not fail it).
        SitePattern pattern = SitePattern.TryParse("leak" + string.Concat(Enumerable.Repeat(star, repeats)) + "x.cs", member: "*" + string.Concat(Enumerable.Repeat("*a", repeats)), out _)!;
        // Near misses are the hard case for a backtracking matcher: 'ax.cs' ends like 'x.cs', a member ends in 'b'.
        string deep = "/src/leak" + string.Concat(Enumerable.Repeat("/a", 40));
        SiteInfo[] sites =
        [
            .. Enumerable.Range(0, 500).Select(i => new SiteInfo(i, deep + "/ax.cs", i + 1, new string('a', 300))),
            .. Enumerable.Range(0, 500).Select(i => new SiteInfo(i, deep + "/x.cs", i + 1, new string('a', 100) + "b")),
            .. Enumerable.Range(0, 500).Select(i => new SiteInfo(i, deep + "/x.cs", i + 1, new string('a', 300))),
        ];

        Task<int> matching = Task.Run(() => sites.Count(pattern.Matches));

        int matched = await matching.WaitAsync(TimeSpan.FromSeconds(60));
        // The x.cs sites whose member ends in enough a's; with '*' ('**' pairs cross segments) 'ax.cs' matches too.
        Assert.Equal(star == "*" ? 1000 : 500, matched);
    }
}
