using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LeakScope.Hosting;

/// <summary>
/// <c>Healthy</c> while no site grows, <c>Degraded</c> (or the registration's failure status) while the growth rule
/// flags one in the latest sample; its data lists each flagged site with its live bytes, rate and how long it has grown.
/// </summary>
internal sealed class LeakScopeHealthCheck(LeakScopeWatcher watcher, TimeProvider timeProvider) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        LeakScopeSample? sample = watcher.Latest;
        if (sample is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy("LeakScope: no heap sample yet"));
        }

        var data = new Dictionary<string, object>
        {
            ["sampledAt"] = sample.Time.ToString("O", CultureInfo.InvariantCulture),
            ["sample"] = sample.Number,
            ["sites"] = sample.SiteCount,
        };
        if (sample.Growing.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"LeakScope: no site growing ({sample.SiteCount} sites live)", data));
        }

        DateTimeOffset now = timeProvider.GetUtcNow();
        foreach (GrowingSite g in sample.Growing)
        {
            string key = $"{g.Site.Location} ({g.Site.Member}, {LeakScopeWatcher.FamilyName(g.Site.Family)})";
            data[key] = new Dictionary<string, object>
            {
                ["liveBytes"] = g.Site.LiveBytes,
                ["liveBlocks"] = g.Site.LiveBlocks,
                ["bytesPerSecond"] = Math.Round(g.BytesPerSecond, 1),
                ["growingSeconds"] = Math.Round((now - g.GrowingSince).TotalSeconds, 1),
            };
        }

        GrowingSite top = sample.Growing[0];
        string description = $"LeakScope: {sample.Growing.Count} site(s) growing; fastest {top.Site.Location} ({top.Site.Member}) at {top.BytesPerSecond:F0} B/s";
        HealthStatus status = context.Registration?.FailureStatus ?? HealthStatus.Degraded;
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}
