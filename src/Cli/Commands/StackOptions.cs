using System.CommandLine;
using System.Globalization;
using LeakScope.Tracer.Sessions;

namespace LeakScope.Cli.Commands;

/// <summary><c>--stacks none|sampled|all</c> and <c>--stack-sample-bytes</c>, shared by <c>trace</c> and <c>analyze</c> (docs/stacks.md).</summary>
internal sealed class StackOptions
{
    public Option<string> Stacks { get; } = new("--stacks")
    {
        Description = "Call stacks on findings: 'sampled' (allocations sampled by bytes, plus the first at every site; misuse always; figures marked estimated), 'all' (every allocation: exact), or 'none'.",
        DefaultValueFactory = _ => "sampled",
        HelpName = "none|sampled|all",
    };

    public Option<string?> SampleBytes { get; } = new("--stack-sample-bytes")
    {
        Description = $"With --stacks sampled: the mean number of allocated bytes between samples (default {TraceOptions.DefaultStackSampleBytes.ToString(CultureInfo.InvariantCulture)}).",
        HelpName = "bytes",
    };

    public void AddTo(Command command, bool sampling)
    {
        command.Options.Add(Stacks);
        if (sampling)
        {
            command.Options.Add(SampleBytes);
        }
    }

    public static StackCollection Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "none" => StackCollection.None,
        "sampled" or null => StackCollection.Sampled,
        "all" => StackCollection.All,
        _ => throw new UsageException($"--stacks takes none, sampled or all, not '{text}'"),
    };

    public static long ParseSampleBytes(string? text) =>
        text is null
            ? TraceOptions.DefaultStackSampleBytes
            : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long bytes) && bytes > 0
                ? bytes
                : throw new UsageException($"--stack-sample-bytes must be a positive number of bytes, not '{text}'");
}
