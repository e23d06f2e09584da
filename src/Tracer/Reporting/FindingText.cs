using System.Globalization;
using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Reporting;

/// <summary>Sentences about findings and their kinds, shared by the text, SARIF, JUnit and HTML writers; the words of each kind come from <see cref="FindingKinds"/>.</summary>
public static class FindingText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A short title for a kind (SARIF rule name, HTML heading).</summary>
    public static string Title(FindingKind kind) => FindingKinds.Of(kind).Title;

    /// <summary>What a kind means and what to do about it (SARIF rule description and help).</summary>
    public static string Description(FindingKind kind) => FindingKinds.Of(kind).Description;

    /// <summary>One sentence for one finding, e.g. "3 pool blocks (240 B) allocated here were still live at the end of the trace."</summary>
    public static string Describe(Finding f)
    {
        string text = FindingKinds.Of(f.Kind).Sentence(new FindingWords(f, ReportNames.Family, Bytes));
        return f.Uncertain ? text + " (Uncertain: the trace is incomplete.)" : text;
    }

    /// <summary>Bytes for people: <c>240 B</c> below 10 KiB, <c>12.5 KiB</c> below 10 MiB, then <c>12.0 MiB</c>.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 10 * 1024 => $"{bytes.ToString("N0", Invariant)} B",
        < 10L * 1024 * 1024 => $"{(bytes / 1024.0).ToString("N1", Invariant)} KiB",
        _ => $"{(bytes / (1024.0 * 1024)).ToString("N1", Invariant)} MiB",
    };
}
