using System.Diagnostics;
using System.Text.RegularExpressions;
using LeakScope.Hosting.Tests.Support;

namespace LeakScope.Hosting.Tests;

/// <summary>
/// The contract of docs/hosting.md end to end, with no tracer anywhere: samples/LeakyWebService runs as a child process,
/// a real Prometheus server scrapes its /metrics on loopback and evaluates docs/prometheus/leakscope-rules.yml, and the
/// test reads the per-site series back from Prometheus's HTTP API.
/// </summary>
public partial class PrometheusTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task LeakingEndpointTurnsHealthDegradedWithinThreeIntervalsAndPrometheusShowsItsSite_ChurnNeverDoes()
    {
        using WebService service = WebService.Start(Interval);
        using PrometheusServer prometheus = PrometheusServer.Start(
            $"127.0.0.1:{service.Port}", [Path.Combine(Repo.Root, "docs", "prometheus", "leakscope-rules.yml")]);
        var deadline = Stopwatch.StartNew();

        // Before any request: healthy, and the sample it judged (the watcher samples once at start, then every interval).
        WebService.Health before = await service.HealthAsync();
        while (before.Sample is null && deadline.Elapsed < Bound)
        {
            before = await service.HealthAsync();
        }

        Assert.Equal("Healthy", before.Status);

        // The first leak, then the latest sample: every sample after that one sees the leak.
        await service.LeakAsync();
        WebService.Health leaking = await service.HealthAsync();
        long firstSample = leaking.Sample!.Value;

        // The load: one leak and one churn request per tick (the tick sets the request rate, it is not a wait). The
        // condition is looked at after each tick's requests, and the loop is bounded by the deadline.
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        WebService.Health health = before;
        while (health.Status != "Degraded")
        {
            Assert.True(deadline.Elapsed < Bound, $"/health never turned Degraded: {health.Json}");
            await service.LeakAsync();
            await service.ChurnAsync();
            health = await service.HealthAsync();
            Assert.DoesNotContain(health.GrowingSites, s => s.Contains("(Churn", StringComparison.Ordinal));
            await ticks.WaitForNextTickAsync();
        }

        // Flagged within three sample intervals of the first leak: three rising windows need three more samples.
        Assert.InRange(health.Sample!.Value - firstSample, 1, 3);
        Assert.Equal("Healthy", leaking.Status);
        string leakSite = Assert.Single(health.GrowingSites);
        Match site = SiteName().Match(leakSite);
        Assert.True(site.Success, leakSite);
        Assert.Equal("Leak", site.Groups["member"].Value);
        Assert.Equal("pool", site.Groups["family"].Value);
        string location = site.Groups["site"].Value;

        // Keep leaking until Prometheus has scraped the flag: looked at after each scrape the service answers.
        int scrapesSeen = 0;
        IReadOnlyList<(Dictionary<string, string> Labels, double Value)> bytes = [];
        IReadOnlyList<(Dictionary<string, string> Labels, double Value)> growing = [];
        IReadOnlyList<(Dictionary<string, string> Labels, double Value)> alerts = [];
        while (true)
        {
            Assert.True(deadline.Elapsed < Bound, $"Prometheus never showed the growing site {location}: bytes {bytes.Count}, growing {growing.Count}, alerts {alerts.Count}\n{prometheus.Output.Text}");
            await service.LeakAsync();
            await service.ChurnAsync();
            health = await service.HealthAsync();
            Assert.DoesNotContain(health.GrowingSites, s => s.Contains("(Churn", StringComparison.Ordinal));
            int scrapes = service.Output.CountWhere(l => l.Contains("scraped /metrics", StringComparison.Ordinal));
            if (scrapes != scrapesSeen)
            {
                scrapesSeen = scrapes;
                bytes = await prometheus.QueryAsync("leakscope_allocator_site_live_bytes{member=\"Leak\"}");
                growing = await prometheus.QueryAsync("leakscope_allocator_site_growing{member=\"Leak\"} == 1");
                alerts = await prometheus.QueryAsync("ALERTS{alertname=\"LeakScopeSiteGrowing\",member=\"Leak\"}");
                if (bytes.Count == 1 && bytes[0].Value >= 4096 && growing.Count == 1 && alerts.Count == 1)
                {
                    break;
                }
            }

            await ticks.WaitForNextTickAsync();
        }

        Assert.Equal(location, bytes[0].Labels["site"]);
        Assert.Equal("pool", bytes[0].Labels["family"]);
        Assert.Equal($"127.0.0.1:{service.Port}", bytes[0].Labels["instance"]);
        Assert.Equal(location, growing[0].Labels["site"]);
        Assert.Equal(location, alerts[0].Labels["site"]);
        Assert.Equal("pending", alerts[0].Labels["alertstate"]); // 'for: 15m' has not elapsed: pending, as designed.

        // The recording rule sums the site across instances (one here).
        IReadOnlyList<(Dictionary<string, string> Labels, double Value)> fleet = await prometheus.QueryAsync($"leakscope:site_live_bytes:sum{{site=\"{location}\"}}");
        Assert.True(Assert.Single(fleet).Value >= 4096);

        // Churn allocated as much, as often, and was never flagged: not in any sample Prometheus holds.
        Assert.Empty(await prometheus.QueryAsync("max_over_time(leakscope_allocator_site_growing{member=\"Churn\"}[10m])"));
        Assert.Empty(await prometheus.QueryAsync("ALERTS{member=\"Churn\"}"));
        WebService.Health end = await service.HealthAsync();
        Assert.DoesNotContain(end.GrowingSites, s => s.Contains("(Churn", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^(?<site>Program\.cs:\d+) \((?<member>\w+), (?<family>\w+)\)$")]
    private static partial Regex SiteName();
}
