namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// Lines another thread writes (a process's output), and the one bounded wait for a line among them: the lines are
/// looked at again each time one arrives, never after a pause. Any number of tests may wait at once.
/// </summary>
internal sealed class LineArrivals
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called by the writing thread after each line it added.</summary>
    public void Arrived() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>The first line <paramref name="find"/> returns; after <paramref name="bound"/>, a <see cref="TimeoutException"/> saying <paramref name="failure"/>.</summary>
    public async Task<string> WaitForAsync(Func<string?> find, TimeSpan bound, Func<string> failure)
    {
        using var timeout = new CancellationTokenSource(bound);
        while (true)
        {
            // Taken before looking, so a line that arrives in between completes it and is not missed.
            Task next = Volatile.Read(ref _next).Task;
            if (find() is string found)
            {
                return found;
            }

            try
            {
                await next.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(failure());
            }
        }
    }
}
