using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// A recording cut short (a full disk, a copy interrupted, a tracer killed while writing) must never pass for a whole
/// trace: <see cref="TraceRunner.AnalyzeFile"/> either refuses it as unreadable or reports it incomplete.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class TruncatedTraceTests
{
    [Fact]
    public async Task A_truncated_recording_is_unreadable_or_incomplete_at_every_cut()
    {
        string path = Path.Combine(Path.GetTempPath(), $"leakscope-e2e-{Guid.NewGuid():N}.nettrace");
        string cut = path + ".cut";
        try
        {
            var spec = new LaunchSpec("dotnet", [Repo.MisuseDemoDll]) { StandardOutput = TextWriter.Null, StandardError = TextWriter.Null };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            TraceOutcome live = await TraceRunner.LaunchAsync(spec, TraceOptions.Default with { NetTracePath = path }, timeout.Token);
            Assert.True(live.Analysis.Completeness.Complete, string.Join("; ", live.Analysis.Completeness.Reasons));
            await ProcessHygiene.AssertGoneAsync(live.Target.Pid);

            byte[] whole = await File.ReadAllBytesAsync(path);
            Assert.True(TraceRunner.AnalyzeFile(path).Analysis.Completeness.Complete);

            // Cuts everywhere: in the header, all through the body, and at each of the last 40 bytes (the end marker).
            var lengths = new SortedSet<int> { 0, 1, 8, 20, 64, 200 };
            for (int i = 1; i < 100; i++)
            {
                lengths.Add((int)((long)whole.Length * i / 100));
            }

            for (int back = 1; back <= 40; back++)
            {
                lengths.Add(whole.Length - back);
            }

            var outcomes = new List<string>();
            foreach (int length in lengths.Where(l => l >= 0 && l < whole.Length))
            {
                await File.WriteAllBytesAsync(cut, whole[..length]);
                try
                {
                    TraceOutcome outcome = TraceRunner.AnalyzeFile(cut);
                    Assert.False(outcome.Analysis.Completeness.Complete, $"a recording cut to {length} of {whole.Length} bytes was judged complete");
                    Assert.NotEmpty(outcome.Analysis.Completeness.Reasons);
                    outcomes.Add($"{length}: incomplete");
                }
                catch (TraceUnreadableException e)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Message));
                    outcomes.Add($"{length}: unreadable");
                }
            }

            // Measured: TraceEvent refuses every one of these cuts (no end-of-stream marker), so none even gets judged.
            Assert.NotEmpty(outcomes);
        }
        finally
        {
            File.Delete(path);
            File.Delete(cut);
        }
    }
}
