using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Gate;

/// <summary>One line of a suppressions file: a finding kind (null for <c>*</c>, any kind) and a site pattern, with where it was written.</summary>
public sealed record Suppression(FindingKind? Kind, SitePattern Pattern, string Source, int Line)
{
    /// <summary>Whether this suppression covers <paramref name="finding"/>: its kind, and its site under the pattern.</summary>
    public bool Matches(Finding finding) => (Kind is null || Kind == finding.Kind) && Pattern.Matches(finding.Site);

    /// <summary><c>file:line</c> of the suppression itself.</summary>
    public string Location => $"{Source}:{Line}";

    /// <summary>The line as it means: <c>leak Program.cs:42 Handle</c>.</summary>
    public override string ToString() => $"{(Kind is { } kind ? FindingKinds.Name(kind) : "*")} {Pattern}";
}
