using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LeakScope.Hosting;

/// <summary>
/// Calls <see cref="LeakScopeWatcher.Sample"/> at start and then every sample interval — or, after a sample that took
/// more than <see cref="LeakScopeOptions.MaxCpuShare"/> of it, after <c>duration / MaxCpuShare</c> — until the host stops.
/// </summary>
internal sealed partial class LeakScopeHostedService(LeakScopeWatcher watcher, TimeProvider timeProvider, ILogger<LeakScopeHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                long started = timeProvider.GetTimestamp();
                try
                {
                    watcher.Sample();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed sample must not take the service down: say so and try again next interval.
                    SampleFailed(logger, e);
                }

                TimeSpan took = timeProvider.GetElapsedTime(started);
                TimeSpan wait = watcher.Options.NextWait(took) - took;
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        LeakScopeWatcher.Unpublish();
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "LeakScope: a heap sample failed")]
    private static partial void SampleFailed(ILogger logger, Exception exception);
}
