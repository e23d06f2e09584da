using System.Diagnostics;
using System.Text.RegularExpressions;
using LeakScope.Hosting.Tests.Support;

namespace LeakScope.Hosting.Tests;

/// <summary>
/// The same per-site gauges over OTLP/HTTP (protobuf), the way a collector receives them. No collector is packaged in
/// Debian, so the receiver is the in-test <see cref="OtlpReceiver"/> (docs/hosting.md says so).
/// </summary>
public partial class OtlpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PerSiteGaugesOfTheLeakingSiteReachAnOtlpReceiver()
    {
        await using OtlpReceiver receiver = await OtlpReceiver.StartAsync();
        using WebService service = WebService.Start(TimeSpan.FromSeconds(1), $"--Otlp:Endpoint={receiver.Endpoint}");
        var deadline = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(Bound);

        // Leak in the background (its tick sets the request rate) while the test waits for the exported points.
        Task load = Task.Run(async () =>
        {
            using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            while (!timeout.IsCancellationRequested)
            {
                await service.LeakAsync();
                await service.ChurnAsync();
                await ticks.WaitForNextTickAsync(timeout.Token);
            }
        });

        OtlpPoint? bytes = null;
        OtlpPoint? growing = null;
        var seen = new List<OtlpPoint>();
        try
        {
            while (bytes is null || growing is null)
            {
                // Woken by each point the exporter sends (or by the load failing); the token bounds the wait.
                Task<OtlpPoint> next = receiver.Points.ReadAsync(timeout.Token).AsTask();
                if (await Task.WhenAny(next, load) == load)
                {
                    await load; // Its exception, if it failed.
                    Assert.Fail("the load stopped before the points arrived");
                }

                OtlpPoint point = await next;
                seen.Add(point);
                if (point.Attributes.GetValueOrDefault("member") == "Leak")
                {
                    if (point.Metric == "leakscope.allocator.site.live_bytes" && point.Value >= 4096)
                    {
                        bytes = point;
                    }
                    else if (point.Metric == "leakscope.allocator.site.growing" && point.Value == 1)
                    {
                        growing = point;
                    }
                }

                Assert.False(point.Metric == "leakscope.allocator.site.growing" && point.Attributes.GetValueOrDefault("member") == "Churn", "churn flagged as growing");
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"no exported growing site within {Bound.TotalSeconds} s after {deadline.Elapsed}: {seen.Count} points, metrics {string.Join(", ", seen.Select(p => p.Metric).Distinct())}\n{service.Output.Text}");
        }
        finally
        {
            await timeout.CancelAsync();
            try
            {
                await load;
            }
            catch (OperationCanceledException)
            {
            }
        }

        Assert.Matches(SiteLabel(), bytes.Attributes["site"]);
        Assert.Equal("pool", bytes.Attributes["family"]);
        Assert.Equal(bytes.Attributes["site"], growing.Attributes["site"]);

        // The per-family instruments travel on the same meter.
        Assert.Contains(seen, p => p.Metric == "leakscope.allocator.live_bytes" && p.Attributes.GetValueOrDefault("family") == "pool" && p.Value >= 4096);
    }

    [GeneratedRegex(@"^Program\.cs:\d+$")]
    private static partial Regex SiteLabel();
}
