using System.Diagnostics;
using LeakScope.Tracer.Analysis;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// Reads one started EventPipe session to its end and decides why it ended: the target exited, the
/// duration elapsed, or the caller cancelled. On a stop it first withdraws the exit file (so a target that keeps
/// running writes nothing when it exits later), then asks the target to flush and cuts the account at its answer
/// (<see cref="DetachCut"/>), then stops the session and drains the stream to its end before
/// anything is judged, so the report contains every event the target wrote.
/// </summary>
internal sealed class LiveSession
{
    private readonly EventPipeSession _session;
    private readonly TraceOptions _options;
    private readonly ExitFile? _exitFile;
    private readonly DiagnosticsClient _client;

    public LiveSession(DiagnosticsClient client, EventPipeSession session, TraceOptions options, ExitFile? exitFile)
    {
        _client = client;
        _session = session;
        _options = options;
        _exitFile = exitFile;
    }

    private RecordingStream? _recording;

    /// <summary>The session was started before the target was resumed (launch mode): see <see cref="StreamSummary.FromProcessStart"/>.</summary>
    public bool FromProcessStart { get; init; }

    /// <summary>Runs when the trace is stopped (duration, cancellation) before the session is: an attach-mode snapshot.</summary>
    public Func<Task>? BeforeStop { get; init; }

    /// <summary>
    /// Stops the trace (as <see cref="StreamEnd.Duration"/> does) when the task it returns for the session's reader
    /// completes: <c>leakscope snapshot</c> stops once the rundown is read.
    /// </summary>
    public Func<EventStreamReader, Task>? StopWhen { get; init; }

    /// <summary>Why the <c>--nettrace</c> recording is incomplete (a write failed; the trace went on), or null.</summary>
    public string? RecordingError => _recording?.CopyError;

    /// <summary>Measures from the stream's end (set when <see cref="RunAsync"/> returns) to the judged result.</summary>
    public Stopwatch SinceEnd { get; } = new();

    public async Task<(EventStreamReader Reader, StreamEnd End, TimeSpan? StopToEnd)> RunAsync(CancellationToken cancellationToken)
    {
        var reader = new EventStreamReader(_options.Analysis, _options.Monitor) { RequestedBatches = !_options.PerOperation, FromProcessStart = FromProcessStart };
        Stream stream = _session.EventStream;
        if (_options.NetTracePath is { } path)
        {
            stream = _recording = new RecordingStream(stream, CreateRecording(path));
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

            // Stop on the duration, on cancellation, or when StopWhen says the trace has what it came for.
            Task stopSignal = StopWhen?.Invoke(reader) ?? reading;
            bool stopped;
            try
            {
                await Task.WhenAny(reading, stopSignal).WaitAsync(stop.Token).ConfigureAwait(false);
                stopped = !reading.IsCompleted;
            }
            catch (OperationCanceledException)
            {
                // Not stopped when the stream ended at the same moment: the target exited.
                stopped = !reading.IsCompleted;
            }

            if (stopped)
            {
                end = cancellationToken.IsCancellationRequested ? StreamEnd.Cancelled : StreamEnd.Duration;
                if (_exitFile is not null)
                {
                    _exitFile.Withdraw();
                    reader.ExitFileWithdrawn();
                }

                if (BeforeStop is { } beforeStop)
                {
                    await beforeStop().ConfigureAwait(false);
                }

                // The target is still running: ask it to flush its threads' buffers and cut the account at its answer.
                reader.Detach = await DetachCut.RunAsync(_client, reader, reading, _options.DetachFlushTimeout).ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                await StopAndDrainAsync(reading).ConfigureAwait(false);
                stopToEnd = clock.Elapsed;
            }
        }

        await reading.ConfigureAwait(false);
        SinceEnd.Start();
        stream.Dispose();
        return (reader, end, stopToEnd);
    }

    private async Task StopAndDrainAsync(Task reading)
    {
        // One deadline for stopping and draining together: DrainTimeout bounds the whole wait (docs/reliability.md).
        var clock = Stopwatch.StartNew();
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
            TimeSpan left = _options.DrainTimeout - clock.Elapsed;
            await reading.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
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
