using LeakScope.Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace LeakScope.Hosting.Tests;

/// <summary>AddLeakScope in a real generic host: the hosted watcher samples at start, the health check reads it.</summary>
[Collection(HeapCollection.Name)]
public sealed class HostTests
{
    [Fact]
    public async Task TheHealthCheckIsHealthyUntilASiteGrowsThenDegradedWithTheSiteInItsData()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        // A long interval: the hosted service samples once at start; the test takes the later samples itself.
        builder.Services.AddLeakScope(o => o.SampleInterval = TimeSpan.FromHours(1));
        builder.Services.AddHealthChecks().AddLeakScope();
        using IHost host = builder.Build();
        await host.StartAsync();
        try
        {
            LeakScopeWatcher watcher = host.Services.GetRequiredService<LeakScopeWatcher>();
            HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();

            // The hosted service's first sample is taken as the host starts; the check waits for nothing else.
            HealthReport first = await health.CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, first.Entries["leakscope"].Status);

            using var cache = new SiteBlocks("/src/app/HostCache.cs", 12, "Remember");
            watcher.Sample();
            for (int window = 0; window < 3; window++)
            {
                cache.Allocate(2, 1024);
                watcher.Sample();
            }

            HealthReport report = await health.CheckHealthAsync();
            HealthReportEntry entry = report.Entries["leakscope"];
            Assert.Equal(HealthStatus.Degraded, entry.Status);
            Assert.Contains("HostCache.cs:12", entry.Description);
            var site = (IReadOnlyDictionary<string, object>)entry.Data["HostCache.cs:12 (Remember, pool)"];
            Assert.Equal(6144L, site["liveBytes"]);
            Assert.Equal(6L, site["liveBlocks"]);
            Assert.True((double)site["growingSeconds"] >= 0);

            cache.Free(cache.Count);
            while (watcher.Sample().Growing.Count > 0)
            {
                Assert.True(watcher.Latest!.Number < 20, "never cleared after the site was freed");
            }

            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Entries["leakscope"].Status);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void ASampleOverTheCpuBudgetStretchesTheWaitToKeepTheShare()
    {
        var options = new LeakScopeOptions(); // 10 s, 1 %
        Assert.Equal(TimeSpan.FromSeconds(10), options.NextWait(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(TimeSpan.FromSeconds(13), options.NextWait(TimeSpan.FromMilliseconds(130)));
    }

    [Fact]
    public void OptionsThatCannotWorkAreRefusedWithTheirName()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LeakScopeWatcher(Microsoft.Extensions.Options.Options.Create(new LeakScopeOptions { RecentWindows = 2 })));
        Assert.Equal("RecentWindows", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LeakScopeWatcher(Microsoft.Extensions.Options.Options.Create(new LeakScopeOptions { MaxSites = 0 })));
        Assert.Equal("MaxCpuShare", Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LeakScopeWatcher(Microsoft.Extensions.Options.Options.Create(new LeakScopeOptions { MaxCpuShare = 0 }))).ParamName);
    }
}
