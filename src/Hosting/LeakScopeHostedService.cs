using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LeakScope.Hosting;

/// <summary>Calls <see cref="LeakScopeWatcher.Sample"/> at start and then every sample interval, until the host stops.</summary>
internal sealed partial class LeakScopeHostedService(LeakScopeWatcher watcher, TimeProvider timeProvider, ILogger<LeakScopeHostedService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(watcher.Options.SampleInterval, timeProvider);
        try
        {
            do
            {
                try
                {
                    watcher.Sample();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed sample must not take the service down: say so and try again next interval.
                    SampleFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
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
