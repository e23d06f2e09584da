using System.Text.RegularExpressions;

namespace LeakScope.Tracer.Tests.Architecture;

/// <summary>
/// No file in the repository cites a document the repository does not contain: every <c>*.md</c> path named in the
/// sources, tests, docs, samples, bench and the README resolves to a file in the clone, and nothing points at the
/// design notes or shared folder that sit outside it. The contracts live in <c>docs/</c> (docs/architecture.md).
/// </summary>
public partial class DocumentCitationTests
{
    private static readonly string[] ScannedFolders = ["src", "tests", "docs", "samples", "bench", ".ci"];

    private static readonly string[] ScannedRootFiles = ["README.md"];

    private static readonly HashSet<string> TextExtensions =
        new([".cs", ".md", ".csproj", ".props", ".targets", ".sh", ".c", ".txt", ".yml", ".yaml", ""], StringComparer.OrdinalIgnoreCase);

    private static readonly string Root = RepositoryRoot.Path;

    [Fact]
    public void Every_document_the_repository_cites_is_in_the_repository()
    {
        List<string> missing = [];
        int citations = 0;
        foreach (string file in ScannedFiles())
        {
            string relative = Path.GetRelativePath(Root, file);
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Citation citation in Cite(lines[i]))
                {
                    citations++;
                    if (citation.Problem(Root, Path.GetDirectoryName(file)!) is { } problem)
                    {
                        missing.Add($"{relative}:{i + 1}: {problem}");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} citation(s) of documents not in the repository:\n" + string.Join("\n", missing));
        Assert.True(citations > 50, $"only {citations} citations found: is the scan looking at the repository ({Root})?");
    }

    [Fact]
    public void No_copy_of_the_design_notes_stands_in_for_docs()
    {
        string[] copies = Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f))
            .Where(f => string.Equals(Path.GetFileNameWithoutExtension(f), DesignNotes, StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(Root, f))
            .ToArray();

        Assert.Empty(copies);
        Assert.True(File.Exists(Path.Combine(Root, "docs", "architecture.md")));
    }

    [Theory]
    [InlineData("prose: docs/exit-file.md", null)]
    [InlineData("see [the rule](analysis.md#the-growth-rule)", null)]
    [InlineData("(docs/analysis.md, \"Findings\")", null)]
    [InlineData("the measurements: bench/README.md.", null)]
    [InlineData("https://github.com/dotnet/diagnostics/blob/main/documentation/design-docs/ipc-protocol.md", null)]
    [InlineData("bench/run-tracing-bench.sh --runs 5 --output results.md", null)]
    [InlineData("details in docs/no-such-page.md", "docs/no-such-page.md is not in the repository")]
    [InlineData("the contract is in ../../docs/cli.md", "../../docs/cli.md is not in the repository")]
    [InlineData("as {notes}.md says", "{notes}.md is not in the repository")]
    [InlineData("the {notes} names", "{notes} cites design notes the repository does not hold")]
    [InlineData("read {outside}/notes.txt", "{outside} cites a folder outside the repository")]
    public void A_citation_resolves_against_the_citing_folder_or_the_root(string line, string? expected)
    {
        line = Named(line);
        expected = expected is null ? null : Named(expected);
        string? problem = Cite(line).Select(c => c.Problem(Root, Path.Combine(Root, "docs"))).FirstOrDefault(p => p is not null);

        Assert.Equal(expected, problem);
    }

    /// <summary>The name of the design notes that lived outside the repository (this file is left out of the scan: it names them to find them).</summary>
    private static readonly string DesignNotes = string.Concat("DES", "IGN");

    /// <summary>The folder beside the repository that held the design notes, written so that this file does not cite it.</summary>
    private static readonly string OutsideFolder = string.Concat("..", "/", "shared");

    // Built at run time, not constants, so that neither this file nor the test assembly holds the names it looks for.
    private static readonly Regex DesignWord = new(@"(?<![A-Za-z])" + DesignNotes + "(?![A-Za-z])", RegexOptions.Compiled);
    private static readonly Regex SharedFolder = new(Regex.Escape(OutsideFolder) + @"\b|/work/" + OutsideFolder[3..] + @"\b", RegexOptions.Compiled);

    /// <summary>A test line with <c>{notes}</c> and <c>{outside}</c> standing for the names.</summary>
    private static string Named(string text) => text.Replace("{notes}", DesignNotes).Replace("{outside}", OutsideFolder);

    private static IEnumerable<Citation> Cite(string line)
    {
        string text = UrlPattern().Replace(line, " ");
        foreach (Match m in MarkdownPathPattern().Matches(text))
        {
            yield return new Citation(m.Value, Citation.Kind.Path);
        }

        foreach (Match m in DesignWord.Matches(text))
        {
            if (!text.AsSpan(m.Index).StartsWith(DesignNotes + ".md", StringComparison.Ordinal))
            {
                yield return new Citation(m.Value, Citation.Kind.DesignNotes);
            }
        }

        foreach (Match m in SharedFolder.Matches(text))
        {
            yield return new Citation(m.Value, Citation.Kind.OutsideFolder);
        }
    }

    private static IEnumerable<string> ScannedFiles() =>
        ScannedFolders
            .Select(folder => Path.Combine(Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(f => !IsBuildOutput(f) && TextExtensions.Contains(Path.GetExtension(f)))
            .Concat(ScannedRootFiles.Select(f => Path.Combine(Root, f)).Where(File.Exists))
            .Where(f => !f.EndsWith(Path.Combine("Architecture", nameof(DocumentCitationTests) + ".cs"), StringComparison.Ordinal));

    private static bool IsBuildOutput(string path)
    {
        string relative = Path.GetRelativePath(Root, path);
        string[] parts = relative.Split(Path.DirectorySeparatorChar);
        return parts.Any(p => p is "bin" or "obj" or ".git" or "BenchmarkDotNet.Artifacts" or "artifacts");
    }

    /// <summary>A URL names its own host: what it cites is not expected in the repository.</summary>
    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://\S+", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPattern();

    /// <summary>
    /// A path ending in <c>.md</c>: <c>README.md</c>, <c>docs/cli.md</c>, <c>../bench/README.md</c>, <c>analysis.md#anchor</c>
    /// — but not a file a command is told to write (<c>--output results.md</c>, <c>-o r.md</c>).
    /// </summary>
    [GeneratedRegex(@"(?<![\w./\\-])(?<!(?:--output|-o)\s+)(?:[\w.-]+/)*[\w.-]*\w\.md\b")]
    private static partial Regex MarkdownPathPattern();

    private readonly record struct Citation(string Text, Citation.Kind Of)
    {
        public enum Kind
        {
            Path,
            DesignNotes,
            OutsideFolder,
        }

        /// <summary>
        /// Null when the citation holds. A path holds when it names a file inside the repository relative to the citing
        /// file's folder or one of its parents up to the root (so <c>README.md</c> in a sample is the sample's, and
        /// <c>docs/cli.md</c> anywhere is the root's).
        /// </summary>
        public string? Problem(string root, string citingFolder)
        {
            switch (Of)
            {
                case Kind.DesignNotes:
                    return $"{Text} cites design notes the repository does not hold";
                case Kind.OutsideFolder:
                    return $"{Text} cites a folder outside the repository";
            }

            for (string? folder = Path.GetFullPath(citingFolder); folder is not null && IsInside(root, folder); folder = Path.GetDirectoryName(folder))
            {
                string candidate = Path.GetFullPath(Path.Combine(folder, Text));
                if (IsInside(root, candidate) && File.Exists(candidate))
                {
                    return null;
                }
            }

            return $"{Text} is not in the repository";
        }

        private static bool IsInside(string root, string path)
        {
            string relative = Path.GetRelativePath(root, path);
            return relative == "." || !(relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative));
        }
    }
}
