using System.Globalization;

namespace LeakScope.Tracer.Analysis;

/// <summary>
/// Everything about one <see cref="FindingKind"/> that is not judging: its contract name, how reports title, explain,
/// count and word it, its SARIF level and whether it fails the gate by default. One entry per kind, in
/// <see cref="FindingKinds"/>; every report writer and the gate read it, none switches on the kind.
/// </summary>
public sealed class FindingKindInfo
{
    internal FindingKindInfo(FindingKind kind) => Kind = kind;

    /// <summary>The kind this entry describes.</summary>
    public FindingKind Kind { get; }

    /// <summary>The contract string (JSON <c>kind</c>, SARIF rule id, JUnit test name, suppressions, <c>--fail-on</c>): <c>mismatched-free</c>.</summary>
    public required string Name { get; init; }

    /// <summary>A short title: SARIF rule short description, HTML heading.</summary>
    public required string Title { get; init; }

    /// <summary>What the kind means and what to do about it: SARIF rule full description and help.</summary>
    public required string Description { get; init; }

    /// <summary>The SARIF level: <c>error</c> or <c>warning</c> (also the HTML row class).</summary>
    public required string SarifLevel { get; init; }

    /// <summary>The SARIF rule tag beside <c>native-memory</c>: <c>leak</c> (memory held) or <c>misuse</c> (an API used wrongly).</summary>
    public required string Category { get; init; }

    /// <summary>Whether the default gate (no <c>--fail-on</c>) fails on a finding of this kind.</summary>
    public required bool GatesByDefault { get; init; }

    /// <summary>What <see cref="Finding.Count"/> counts, one and many: <c>block</c> / <c>blocks</c>, <c>refused resize</c> / <c>refused resizes</c>.</summary>
    public required string CountOne { get; init; }

    /// <inheritdoc cref="CountOne"/>
    public required string CountMany { get; init; }

    /// <summary>What <see cref="Finding.Bytes"/> is, after the number: <c>total</c> (the counted things together) or <c>gained</c> (growth).</summary>
    public required string BytesMeaning { get; init; }

    /// <summary>True when the bytes restate another finding's (growth restates a leak's): totals over sites skip them.</summary>
    public bool RestatesBytes { get; init; }

    /// <summary>How <see cref="Finding.Site"/> reads before the site: <c>allocated at</c>, <c>acquired at</c>, <c>created at</c>…</summary>
    public required string SiteRole { get; init; }

    /// <summary>What happened at <see cref="Finding.FreeSite"/>: <c>freed</c>, or <c>disposed</c> for a view's buffer.</summary>
    public required string FreeSiteVerb { get; init; }

    /// <summary>One sentence for one finding of this kind, from words the report writer formats (family names, sizes).</summary>
    public required Func<FindingWords, string> Sentence { get; init; }

    /// <summary><c>1 block</c>, <c>3 blocks</c>: a count with what it counts.</summary>
    public string Counted(long count) => $"{count.ToString("N0", CultureInfo.InvariantCulture)} {Unit(count)}";

    /// <summary><see cref="CountOne"/> or <see cref="CountMany"/>, as the count asks.</summary>
    public string Unit(long count) => count == 1 ? CountOne : CountMany;

    /// <summary>The count with what it counts and the exact bytes with what they are: <c>3 blocks, 240 B total</c>, <c>12 live blocks at end, 4,096 B gained</c>.</summary>
    public string Amount(long count, long bytes) => $"{Counted(count)}, {bytes.ToString("N0", CultureInfo.InvariantCulture)} B {BytesMeaning}";

    /// <summary>The contract string, <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
