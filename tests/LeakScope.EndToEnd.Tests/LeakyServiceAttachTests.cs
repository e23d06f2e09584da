using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Events;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// Attaching late to LeakyService after it has built up live blocks: every planted bug (samples/LeakyService/README.md)
/// is reported at its line with its bytes, blocks from before the attach cause no false misuse, and the account at
/// exit equals the service's own HEAPSTATS.
/// </summary>
[Collection(EventPipeCollection.Name)]
public class LeakyServiceAttachTests
{
    [Fact]
    public async Task Attached_late_every_planted_bug_is_reported_at_its_line_and_the_account_equals_HeapStats()
    {
        TimeSpan bound = TimeSpan.FromSeconds(30);
        using var service = TestProcess.Start("dotnet", Repo.LeakyServiceDll);

        // The service prints "tick 10: …" after ten ticks: ten leaked blocks and the first round of every bug happen before the attach.
        await service.WaitForLineAsync("tick 10:", bound);
        using var timeout = new CancellationTokenSource(bound);
        var monitor = new TraceMonitor();
        Task<TraceOutcome> tracing = TraceRunner.AttachAsync(service.Id, TraceOptions.Default with { Monitor = monitor }, timeout.Token);

        // Once the session is up (its first heartbeat read), a whole round of bugs after the attach; then SIGTERM stops the service.
        await Waits.TraceAsync(monitor, s => s.Engine.Heartbeats >= 1, "the first heartbeat", bound);
        await service.WaitForNextLineAsync("tick ", bound);
        await service.WaitForNextLineAsync("tick ", bound);
        await service.TerminateAsync();
        TraceOutcome outcome = await tracing;
        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        AnalysisResult result = outcome.Analysis;
        string file = Repo.LeakyServiceSource;

        Assert.True(result.Completeness.Complete, string.Join("; ", result.Completeness.Reasons));
        Assert.Equal(StreamEnd.TargetExited, result.End);
        Assert.True(result.Statistics.RundownBlocks >= 10, $"rundown blocks {result.Statistics.RundownBlocks}: the attach was not late");

        // BUG 1: the per-tick leak, 64 B a block, including the blocks leaked before the attach (from the rundown).
        Finding leak = Assert.Single(result.OfKind(FindingKind.Leak));
        Assert.Equal((file, 29, HeapFamily.Pool), (leak.Site.File, leak.Site.Line, leak.Family));
        Assert.Equal(leak.Count * 64, leak.Bytes);

        // BUG 2: raw blocks of 32 B freed by the pool family.
        Finding mismatched = Assert.Single(result.OfKind(FindingKind.MismatchedFree));
        Assert.Equal((file, 37, 40, HeapFamily.Raw, HeapFamily.Pool), (mismatched.Site.File, mismatched.Site.Line, mismatched.FreeSite?.Line, mismatched.Family, mismatched.CallerFamily));
        Assert.Equal(mismatched.Count * 32, mismatched.Bytes);

        // BUG 3: the resize at line 57 of the 256-byte pool buffer, refused while the view acquired at line 54 was out.
        // The buffer was created before the attach: the rundown's OwnerCreated names its storage.
        Finding resize = Assert.Single(result.OfKind(FindingKind.ResizeWithViews));
        Assert.Equal((file, 57, HeapFamily.Pool), (resize.Site.File, resize.Site.Line, resize.Family));
        Assert.Equal(resize.Count * 256, resize.Bytes);
        Assert.Equal(54, Assert.Single(resize.Views).Site.Line);

        // BUG 4: views of the 128-byte pool buffer, acquired at line 69 and never released.
        Finding viewLeak = Assert.Single(result.OfKind(FindingKind.ViewLeak));
        Assert.Equal((file, 69, HeapFamily.Pool), (viewLeak.Site.File, viewLeak.Site.Line, viewLeak.Family));
        Assert.Equal(viewLeak.Count * 128, viewLeak.Bytes);

        // BUG 5: NativeArray<double>(32) left to the finalizer, 256 B each.
        Finding owner = Assert.Single(result.OfKind(FindingKind.OwnerFinalized));
        Assert.Equal((file, 77, HeapFamily.Pool), (owner.Site.File, owner.Site.Line, owner.Family));
        Assert.Equal(owner.Count * 256, owner.Bytes);

        // Blocks from before the attach were freed without being mistaken for invalid or double frees.
        Assert.Empty(result.OfKind(FindingKind.InvalidFree));
        Assert.Empty(result.OfKind(FindingKind.DoubleFree));
        Assert.Equal(0, result.Completeness.UntrackedFrees);

        HeapStatsLine truth = HeapStatsLine.Parse(service.Lines);
        Assert.True(truth.Raw.SameLive(result.Raw), $"raw: target {truth.Raw}, tracer {result.Raw}");
        Assert.True(truth.Pool.SameLive(result.Pool), $"pool: target {truth.Pool}, tracer {result.Pool}");
        Assert.Equal(truth.Pool.LiveBlocks, leak.Count);
    }
}
