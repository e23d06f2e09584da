using System.Security.Cryptography;
using LeakScope.Tracer.Analysis;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// Detaching from a target that is still running. Its threads' last records sit in their own buffers (up to one heartbeat
/// of work) when the tracer decides to stop, and stopping the session would lose them without a trace. So the tracer asks
/// first: it opens a short second session whose provider argument is <c>Flush=&lt;token&gt;</c>; the target publishes every
/// thread's records and answers on the main session with <c>DetachFlushed(token, n)</c> followed by heartbeat n, whose
/// counts are exactly what the published records hold. When that heartbeat has been read the reader cuts the account there
/// (later events are counted, not judged) and the session is stopped. Without an answer within
/// <see cref="TraceOptions.DetachFlushTimeout"/> the account is INCOMPLETE, and says why (docs/reliability.md).
/// </summary>
internal sealed class DetachCut
{
    private readonly TaskCompletionSource<long> _confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DetachCut(long token) => Token = token;

    /// <summary>Names this tracer's request, so a second tracer's flush of the same target is not taken for ours.</summary>
    public long Token { get; }

    /// <summary>The reader read the heartbeat the target named in its answer: the account ends there.</summary>
    public void Reached(long heartbeatSequence) => _confirmed.TrySetResult(heartbeatSequence);

    /// <summary>
    /// Asks the target to flush and waits, at most <paramref name="timeout"/>, until <paramref name="reader"/> has read the
    /// confirming heartbeat, or the stream ends (<paramref name="reading"/> completes: the target exited meanwhile).
    /// </summary>
    public static async Task<DetachStatus> RunAsync(DiagnosticsClient client, EventStreamReader reader, Task reading, TimeSpan timeout)
    {
        var cut = new DetachCut(NewToken());
        reader.DetachCut = cut;
        using var deadline = new CancellationTokenSource(timeout);
        EventPipeSession flush;
        try
        {
            flush = await client.StartEventPipeSessionAsync(SessionConfiguration.Flush(cut.Token), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ServerNotAvailableException or ServerErrorException or UnsupportedCommandException
                                      or TimeoutException or UnauthorizedAccessException or OperationCanceledException)
        {
            return DetachStatus.Unconfirmed($"the flush request could not be sent: {e.Message}");
        }

        using (flush)
        {
            // Nothing is needed from the flush session's own stream; it is read only so that the target never waits on it.
            Task discarding = Task.Run(() => DiscardAsync(flush.EventStream));
            Task answered = await Task.WhenAny(cut._confirmed.Task, reading, Task.Delay(Timeout.InfiniteTimeSpan, deadline.Token)).ConfigureAwait(false);
            await StopAsync(flush, discarding, timeout).ConfigureAwait(false);

            if (cut._confirmed.Task.IsCompletedSuccessfully)
            {
                return DetachStatus.ConfirmedAt(cut._confirmed.Task.Result);
            }

            return DetachStatus.Unconfirmed(answered == reading
                ? "the stream ended before the target answered the flush request"
                : $"the target did not answer the flush request within {timeout.TotalSeconds:0.#} s (a LeakScope.Allocator without detach flushing, or a target that stopped responding)");
        }
    }

    private static long NewToken()
    {
        long token;
        do
        {
            token = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        }
        while (token == 0);

        return token;
    }

    private static async Task DiscardAsync(Stream stream)
    {
        try
        {
            await stream.CopyToAsync(Stream.Null).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The session ended or was disposed: nothing was wanted from it.
        }
    }

    private static async Task StopAsync(EventPipeSession flush, Task discarding, TimeSpan bound)
    {
        try
        {
            await Task.Run(flush.Stop).WaitAsync(bound).ConfigureAwait(false);
            await discarding.WaitAsync(bound).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The target exited or stopped answering; disposing the session closes its connection.
        }
    }
}
