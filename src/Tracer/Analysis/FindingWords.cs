using System.Globalization;
using LeakScope.Tracer.Events;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// The words a finding's sentence (<see cref="FindingKindInfo.Sentence"/>) is made of. The report writer supplies how
/// families are named and bytes sized; the kind's entry arranges the words.
/// </summary>
public sealed class FindingWords
{
    private readonly Func<HeapFamily, string> _family;
    private readonly Func<long, string> _bytes;

    /// <summary>The words of <paramref name="finding"/>, with the writer's way of naming a family and sizing bytes.</summary>
    public FindingWords(Finding finding, Func<HeapFamily, string> family, Func<long, string> bytes)
    {
        Finding = finding;
        _family = family;
        _bytes = bytes;
    }

    /// <summary>The finding the words are about.</summary>
    public Finding Finding { get; }

    /// <summary>Whether the finding counts exactly one block or incident.</summary>
    public bool One => Finding.Count == 1;

    /// <summary>The count, <c>1,024</c>.</summary>
    public string Count => Finding.Count.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The finding's family, <c>pool</c>.</summary>
    public string Family => FamilyOf(Finding.Family);

    /// <summary>The finding's bytes, <c>240 B</c>.</summary>
    public string Bytes => BytesOf(Finding.Bytes);

    /// <summary><c>was</c> for one, <c>were</c> for more.</summary>
    public string Were => One ? "was" : "were";

    /// <summary><c>once</c>, <c>3 times</c>.</summary>
    public string Times => One ? "once" : $"{Count} times";

    /// <summary>Any family, named as the writer names families: <c>raw</c>.</summary>
    public string FamilyOf(HeapFamily family) => _family(family);

    /// <summary>Any byte count, sized as the writer sizes bytes: <c>1.5 KiB</c>.</summary>
    public string BytesOf(long bytes) => _bytes(bytes);

    /// <summary><c>1 finding</c>, <c>6 findings</c>: a count and its noun in the number the count takes, for lines about many findings.</summary>
    public static string Counted(long count, string one, string many) =>
        $"{count.ToString("N0", CultureInfo.InvariantCulture)} {(count == 1 ? one : many)}";

    /// <summary>The singular or plural of a noun for the finding's count.</summary>
    public string Plural(string one, string many) => One ? one : many;

    /// <summary><c> at Program.cs:42 (Handle)</c>, or nothing without a site.</summary>
    public static string At(SiteInfo? site) => site is null ? string.Empty : $" at {site}";
}
