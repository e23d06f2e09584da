using System.CommandLine;
using System.Globalization;
using LeakScope.Cli.Commands;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Gate;
using LeakScope.Tracer.Reporting;

namespace LeakScope.Cli.Output;

/// <summary>
/// Turns the report options into a <see cref="ReportRequest"/>, or throws <see cref="UsageException"/>. Formats come in
/// order from every <c>--format</c> (comma-separated, each <c>name</c> or <c>name=path</c>); the <c>-o</c> paths go, in
/// order, to the formats without one; a format still without a path goes to standard output when it is the only
/// format or is <c>text</c>, and otherwise to <c>leakscope-report.&lt;ext&gt;</c>. At most one report may go to
/// standard output, and no two to one file.
/// </summary>
internal static class ReportRequestParser
{
    public static ReportRequest Parse(ParseResult parseResult, ReportOptions options)
    {
        IReadOnlyList<ReportDestination> destinations = Destinations(
            parseResult.GetValue(options.Format) ?? [],
            parseResult.GetValue(options.Output) ?? []);
        GatePolicy gate = Gate(
            parseResult.GetValue(options.FailOn) ?? [],
            parseResult.GetValue(options.MaxLeakedBytes),
            parseResult.GetValue(options.Suppressions));
        string sourceRoot = parseResult.GetValue(options.SourceRoot) ?? Environment.CurrentDirectory;
        if (!Directory.Exists(sourceRoot))
        {
            throw new UsageException($"--source-root '{sourceRoot}' is not a directory");
        }

        return new ReportRequest(destinations, gate, ReportContext.Default with { SourceRoot = Path.GetFullPath(sourceRoot) }, parseResult.GetValue(options.Quiet));
    }

    internal static IReadOnlyList<ReportDestination> Destinations(IReadOnlyList<string> formatValues, IReadOnlyList<string> outputs)
    {
        var requested = new List<(ReportFormat Format, string? Path)>();
        foreach (string value in formatValues)
        {
            foreach (string item in value.Split(','))
            {
                string text = item.Trim();
                int equals = text.IndexOf('=');
                string name = equals < 0 ? text : text[..equals].Trim();
                string? path = equals < 0 ? null : text[(equals + 1)..].Trim();
                if (!ReportWriters.TryParse(name, out ReportFormat format))
                {
                    throw new UsageException($"unknown report format '{name}' (expected text, json, sarif, junit, html or folded)");
                }

                if (path is { Length: 0 })
                {
                    throw new UsageException($"--format {name}= needs a path after '='");
                }

                requested.Add((format, path));
            }
        }

        if (requested.Count == 0)
        {
            requested.Add((ReportFormat.Text, null));
        }

        if (outputs.FirstOrDefault(o => string.IsNullOrWhiteSpace(o)) is { } empty)
        {
            throw new UsageException($"-o needs a file path or '-', not '{empty}'");
        }

        int next = 0;
        for (int i = 0; i < requested.Count && next < outputs.Count; i++)
        {
            if (requested[i].Path is null)
            {
                requested[i] = (requested[i].Format, outputs[next++]);
            }
        }

        if (next < outputs.Count)
        {
            throw new UsageException($"more -o paths than formats to write: '{outputs[next]}' has no format (use --format with one format per -o)");
        }

        var destinations = new List<ReportDestination>();
        foreach ((ReportFormat format, string? path) in requested)
        {
            string? resolved = path switch
            {
                "-" => null,
                null when requested.Count == 1 || format == ReportFormat.Text => null,
                null => ReportWriters.DefaultFileName(format),
                _ => path,
            };
            destinations.Add(new ReportDestination(format, resolved));
        }

        if (destinations.Count(d => d.Path is null) > 1)
        {
            throw new UsageException($"only one report can go to standard output, not {string.Join(" and ", destinations.Where(d => d.Path is null).Select(d => ReportWriters.Name(d.Format)))}: give the others a path with -o or format=path");
        }

        var same = destinations.Where(d => d.Path is not null).GroupBy(d => Path.GetFullPath(d.Path!)).FirstOrDefault(g => g.Count() > 1);
        if (same is not null)
        {
            throw new UsageException($"two reports would overwrite each other in {same.First().Path}");
        }

        return destinations;
    }

    internal static GatePolicy Gate(IReadOnlyList<string> failOn, string? maxLeakedBytes, string? suppressions)
    {
        GatePolicy policy = GatePolicy.Default;
        if (failOn.Count > 0)
        {
            var kinds = new HashSet<FindingKind>();
            bool incomplete = false;
            foreach (string token in failOn.SelectMany(v => v.Split(',')).Select(t => t.Trim()))
            {
                switch (token.ToLowerInvariant())
                {
                    case "any":
                        // Every kind that gates by default: not 'retained' (a reachable block), which is named to gate on it.
                        kinds.UnionWith(GatePolicy.Default.FailOn);
                        break;
                    case "none":
                        break;
                    case "incomplete":
                        incomplete = true;
                        break;
                    default:
                        if (!ReportNames.TryParseKind(token, out FindingKind kind))
                        {
                            throw new UsageException($"--fail-on: unknown finding kind '{token}' (expected {string.Join(", ", ReportNames.AllKinds.Select(ReportNames.Kind))}, any, none or incomplete)");
                        }

                        kinds.Add(kind);
                        break;
                }
            }

            policy = policy with { FailOn = kinds, FailOnIncomplete = incomplete };
        }

        if (maxLeakedBytes is not null)
        {
            policy = policy with { MaxLeakedBytes = ParseBytes(maxLeakedBytes) ?? throw new UsageException($"--max-leaked-bytes '{maxLeakedBytes}' is not a number of bytes (e.g. 4096, 64K, 10M)") };
        }

        if (suppressions is not null)
        {
            policy = policy with { Suppressions = SuppressionFile.Load(suppressions) };
        }

        return policy;
    }

    internal static long? ParseBytes(string text)
    {
        string t = text.Trim();
        long unit = 1;
        if (t.Length > 0 && char.ToUpperInvariant(t[^1]) is 'K' or 'M' or 'G')
        {
            unit = char.ToUpperInvariant(t[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            t = t[..^1];
        }

        return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value <= long.MaxValue / unit ? value * unit : null;
    }
}
