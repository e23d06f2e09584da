using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace LeakScope.Allocator.Tests;

/// <summary>LeakyService prints its pid, plants its bugs visibly, stops on time or on SIGTERM, and keeps its bug lines.</summary>
[Collection(OwnedMemoryCollection.Name)]
public partial class LeakyServiceTests
{
    [Fact]
    public void It_prints_its_pid_first_and_its_bugs_show_in_heap_stats_and_events()
    {
        // Stopped once it says ten ticks are done ("tick 10: …"): every bug has run, however slowly the machine ticks.
        using SampleProcess process = SampleProcess.Start("LeakyService", null, "--report-events");
        Assert.Equal($"LeakyService pid {process.Id}", process.FirstLine(SampleProcess.DefaultTimeout));
        process.WaitForLine("tick 10:", SampleProcess.DefaultTimeout);
        Assert.Equal(0, Kill(process.Id, Sigterm));
        Assert.Equal(0, process.WaitForExit());

        string output = process.Output;
        Match stopped = Stopped().Match(output);
        Assert.True(stopped.Success, output);
        long ticks = long.Parse(stopped.Groups["ticks"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ticks >= 10, output);
        Assert.True(long.Parse(stopped.Groups["blocked"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1, output);

        // BUG 1 leaves one 64-byte block per tick; everything else is freed by exit.
        Match summary = SampleTests.Summary().Match(output);
        Assert.True(summary.Success, output);
        Assert.Equal(ticks.ToString(System.Globalization.CultureInfo.InvariantCulture), summary.Groups["live"].Value);
        Assert.Equal((64 * ticks).ToString(System.Globalization.CultureInfo.InvariantCulture), summary.Groups["bytes"].Value);
        Assert.NotEqual("0", summary.Groups["misuse"].Value);

        Match events = Events().Match(output);
        Assert.True(events.Success, output);
        foreach (string name in new[] { "misuse", "blocked", "blockedView", "viewLeaked", "ownerFinalized" })
        {
            Assert.True(long.Parse(events.Groups[name].Value, System.Globalization.CultureInfo.InvariantCulture) >= 1, $"{name}: {events.Value}");
        }
    }

    [Fact]
    public void It_stops_on_time_with_a_duration()
    {
        // A duration of 0: the first tick runs (the loop ticks, then waits), and the service stops at once after it.
        using SampleProcess process = SampleProcess.Start("LeakyService", null, "--duration", "0");
        Assert.Equal(0, process.WaitForExit());
        Match stopped = Stopped().Match(process.Output);
        Assert.True(stopped.Success, process.Output);
        long ticks = long.Parse(stopped.Groups["ticks"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ticks >= 1, process.Output);
        Match summary = SampleTests.Summary().Match(process.Output);
        Assert.True(summary.Success, process.Output);
        Assert.Equal(ticks.ToString(System.Globalization.CultureInfo.InvariantCulture), summary.Groups["live"].Value);
    }

    [Fact]
    public void Every_planted_bug_line_in_the_readme_holds_its_bug()
    {
        string[] source = File.ReadAllLines(SampleProcess.SourcePath("samples", "LeakyService", "PlantedBugs.cs"));
        string readme = File.ReadAllText(SampleProcess.SourcePath("samples", "LeakyService", "README.md"));
        var rows = BugRow().Matches(readme);
        Assert.Equal(5, rows.Count);
        foreach (Match row in rows)
        {
            string bug = row.Groups["bug"].Value;
            var lines = SiteLine().Matches(row.Value).Select(m => int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.NotEmpty(lines);
            foreach (int line in lines)
            {
                Assert.True(line <= source.Length && source[line - 1].Contains($"// BUG {bug}:", StringComparison.Ordinal),
                    $"README says bug {bug} is at PlantedBugs.cs:{line}, but that line is: {(line <= source.Length ? source[line - 1].Trim() : "(past the end)")}");
            }

            // The header comment of PlantedBugs.cs lists the same lines.
            string header = source.First(l => l.StartsWith($"//   BUG {bug} ", StringComparison.Ordinal));
            foreach (int line in lines)
            {
                Assert.Contains(line.ToString(System.Globalization.CultureInfo.InvariantCulture), header);
            }
        }
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"LeakyService stopping after (?<ticks>\d+) ticks: (?<blocked>\d+) blocked resizes")]
    private static partial Regex Stopped();

    [GeneratedRegex(@"Events: Misuse=(?<misuse>\d+), ResizeBlocked=(?<blocked>\d+), ResizeBlockedView=(?<blockedView>\d+), ViewLeaked=(?<viewLeaked>\d+), OwnerFinalized=(?<ownerFinalized>\d+)")]
    private static partial Regex Events();

    [GeneratedRegex(@"^\| (?<bug>\d) \|.*$", RegexOptions.Multiline)]
    private static partial Regex BugRow();

    [GeneratedRegex(@"PlantedBugs\.cs:(?<line>\d+)")]
    private static partial Regex SiteLine();
}
