using System.Globalization;
using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// <c>--format folded</c>: leaked bytes per call stack, one line a stack, in the collapsed-stack format flamegraph.pl,
/// speedscope and inferno read — frames outermost first, separated by <c>;</c>, then a space and the bytes. A frame reads
/// <c>Method (File.cs:line)</c>. A leak without stacks (<c>--stacks none</c>, or a block no sample reached) is one line of
/// its site, so every leaked byte is in the file; with sampled stacks, the bytes are the scaled estimates.
/// </summary>
public static class FoldedReportWriter
{
    /// <summary>The folded stacks of <paramref name="report"/>'s leaks, as text.</summary>
    public static string ToText(TraceReport report)
    {
        var text = new StringWriter();
        Write(report, text);
        return text.ToString();
    }

    /// <summary>Writes the folded stacks of <paramref name="report"/>'s leaks to <paramref name="w"/>, heaviest first.</summary>
    public static void Write(TraceReport report, TextWriter w)
    {
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Finding f in report.Findings.Where(f => f.Kind == FindingKind.Leak))
        {
            long covered = 0;
            foreach (FindingStack stack in f.Stacks)
            {
                Add(lines, string.Join(';', stack.Frames.Reverse().Select(Frame)), stack.Bytes);
                covered += stack.Bytes;
            }

            // Exact stacks that do not cover every leaked byte leave the rest to the site, so the file adds up.
            bool estimated = f.Stacks.Any(s => s.Estimated);
            long rest = f.Stacks.Count == 0 ? f.Bytes : estimated ? 0 : f.Bytes - covered;
            if (rest > 0)
            {
                Add(lines, $"[no stack];{Clean(f.Site.Member)} ({Clean(Path.GetFileName(f.Site.File))}:{f.Site.Line})", rest);
            }
        }

        foreach ((string stack, long bytes) in lines.OrderByDescending(l => l.Value).ThenBy(l => l.Key, StringComparer.Ordinal))
        {
            w.Write(stack);
            w.Write(' ');
            w.Write(bytes.ToString(CultureInfo.InvariantCulture));
            w.Write('\n');
        }
    }

    private static void Add(Dictionary<string, long> lines, string stack, long bytes)
    {
        lines.TryGetValue(stack, out long sum);
        lines[stack] = sum + bytes;
    }

    private static string Frame(CallFrame frame) =>
        frame.File is null ? Clean(frame.Method) : $"{Clean(frame.Method)} ({Clean(Path.GetFileName(frame.File))}:{frame.Line})";

    /// <summary>A frame may not hold the separator, a line break or control characters.</summary>
    private static string Clean(string text) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                char c = source[i];
                span[i] = c == ';' ? ':' : char.IsControl(c) ? '?' : c;
            }
        });
}
