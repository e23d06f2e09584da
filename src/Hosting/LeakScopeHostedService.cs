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
        // The budget judges the cheapest of the last few samples: a sample's wall time only grows when its thread is
        // preempted, so the minimum is the best estimate of what a walk of this heap costs. The first sample (JIT,
        // first touch of the pages) does not count.
        var recent = new Queue<TimeSpan>();
        bool first = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                long started = timeProvider.GetTimestamp();
                try
                {
                    LeakScopeSample sample = watcher.Sample();
                    if (!first)
                    {
                        recent.Enqueue(sample.Duration);
                        if (recent.Count > 3)
                        {
                            recent.Dequeue();
                        }
                    }

                    first = false;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed sample must not take the service down: say so and try again next interval.
                    SampleFailed(logger, e);
                }

                TimeSpan took = timeProvider.GetElapsedTime(started);
                TimeSpan wait = watcher.Options.NextWait(recent.Count == 0 ? TimeSpan.Zero : recent.Min()) - took;
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
