using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LeakScope.Hosting;

/// <summary>Registers the <c>leakscope</c> health check (docs/hosting.md).</summary>
public static class LeakScopeHealthChecksBuilderExtensions
{
    /// <summary>The name the health check is registered under unless another is given: <c>leakscope</c>.</summary>
    public const string HealthCheckName = "leakscope";

    /// <summary>
    /// Adds the <c>leakscope</c> health check: <c>Healthy</c> while no site grows, <paramref name="failureStatus"/>
    /// (default <c>Degraded</c>) while the growth rule flags one, with the flagged sites, their bytes, rate and how
    /// long they have grown in its data. Registers the watcher too when <see cref="LeakScopeServiceCollectionExtensions.AddLeakScope"/> was not called.
    /// </summary>
    public static IHealthChecksBuilder AddLeakScope(
        this IHealthChecksBuilder builder,
        string name = HealthCheckName,
        HealthStatus failureStatus = HealthStatus.Degraded,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddLeakScope();
        builder.Add(new HealthCheckRegistration(
            name,
            sp => new LeakScopeHealthCheck(sp.GetRequiredService<LeakScopeWatcher>(), sp.GetRequiredService<TimeProvider>()),
            failureStatus,
            tags));
        return builder;
    }
}
