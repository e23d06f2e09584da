using System.Diagnostics;
using LeakScope.Tracer.Analysis;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// Reads one started EventPipe session to its end and decides why it ended: the target exited, the
/// duration elapsed, or the caller cancelled. On a stop it stops the session and drains the stream to its
/// end before anything is judged, so the report contains every event the target wrote.
/// </summary>
internal sealed class LiveSession
{
    private readonly EventPipeSession _session;
    private readonly TraceOptions _options;

    public LiveSession(EventPipeSession session, TraceOptions options)
    {
        _session = session;
        _options = options;
    }

    public async Task<(EventStreamReader Reader, StreamEnd End, TimeSpan? StopToEnd)> RunAsync(CancellationToken cancellationToken)
    {
        var reader = new EventStreamReader(_options.Analysis, _options.Monitor);
        Stream stream = _session.EventStream;
        if (_options.NetTracePath is { } path)
        {
            stream = new RecordingStream(stream, CreateRecording(path));
        }

        Task reading = Task.Factory.StartNew(
            () => reader.Read(stream, live: true),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        StreamEnd end = StreamEnd.TargetExited;
        TimeSpan? stopToEnd = null;
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (_options.Duration is { } duration)
            {
                stop.CancelAfter(duration);
            }

            try
            {
                await reading.WaitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!reading.IsCompleted)
            {
                end = cancellationToken.IsCancellationRequested ? StreamEnd.Cancelled : StreamEnd.Duration;
                var clock = Stopwatch.StartNew();
                await StopAndDrainAsync(reading).ConfigureAwait(false);
                stopToEnd = clock.Elapsed;
            }
            catch (OperationCanceledException)
            {
                // The stream ended at the same moment: the target exited.
            }
        }

        await reading.ConfigureAwait(false);
        stream.Dispose();
        return (reader, end, stopToEnd);
    }

    private async Task StopAndDrainAsync(Task reading)
    {
        try
        {
            await Task.Run(_session.Stop).WaitAsync(_options.DrainTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Stop throws when the target exited meanwhile (everything it wrote was flushed already) or
            // its runtime stopped answering; either way the stream's end, drained below, is the authority.
        }

        try
        {
            await reading.WaitAsync(_options.DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The stream did not end: cut it. The reader stops at the cut and the report says so.
            _session.Dispose();
        }
    }

    private static FileStream CreateRecording(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
    }
}
