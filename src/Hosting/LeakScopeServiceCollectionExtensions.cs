using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace LeakScope.Hosting;

/// <summary>Registers the LeakScope watcher (docs/hosting.md).</summary>
public static class LeakScopeServiceCollectionExtensions
{
    /// <summary>
    /// Starts a hosted background watcher that samples per-site live bytes every
    /// <see cref="LeakScopeOptions.SampleInterval"/> and feeds the per-site gauges of the <c>LeakScope.Allocator</c>
    /// meter. Calling it again only adds <paramref name="configure"/>; one watcher runs.
    /// </summary>
    public static IServiceCollection AddLeakScope(this IServiceCollection services, Action<LeakScopeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LeakScopeOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LeakScopeWatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LeakScopeHostedService>());
        return services;
    }
}
