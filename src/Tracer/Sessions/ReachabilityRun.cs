using System.Diagnostics;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Reachability;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// One <c>--reachability</c> snapshot from start to verdicts: the socket the allocator holds on, the capture running
/// beside the session, and, once the stream is read, the dump classified and handed to the engine
/// (<see cref="AnalysisEngine.ApplyReachability"/>). The dump is deleted unless <see cref="TraceOptions.KeepDumpPath"/>.
/// </summary>
internal sealed class ReachabilityRun : IDisposable
{
    private readonly SnapshotSocket _socket;
    private readonly TraceOptions _options;
    private readonly string _dumpPath;
    private readonly CancellationTokenSource _stop = new();
    private Task<SnapshotCapture>? _capture;

    private ReachabilityRun(SnapshotSocket socket, TraceOptions options)
    {
        _socket = socket;
        _options = options;
        _dumpPath = options.KeepDumpPath ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"leakscope-{Environment.ProcessId}-{Guid.NewGuid():N}.dmp");
    }

    public string SocketPath => _socket.Path;

    /// <summary>A run when the options ask for reachability; null otherwise.</summary>
    public static ReachabilityRun? For(TraceOptions options) => options.Reachability ? new ReachabilityRun(SnapshotSocket.Create(), options) : null;

    /// <summary>Starts waiting for the allocator to hold (call once the session is started).</summary>
    public void Start(DiagnosticsClient client) => _capture = _socket.CaptureAsync(client, _dumpPath, _stop.Token);

    /// <summary>
    /// Attach mode, at detach: asks the running allocator for a snapshot now — a second, short session whose provider
    /// arguments name the socket with <see cref="Wire.WireSchema.SnapshotNowArgument"/> — and waits (bounded) until the
    /// dump is written and the target released. A failure is kept for <see cref="ApplyAsync"/> to report.
    /// </summary>
    public async Task SnapshotNowAsync(DiagnosticsClient client)
    {
        if (_capture is null || _capture.IsCompleted)
        {
            return;
        }

        var arguments = new Dictionary<string, string>
        {
            [Wire.WireSchema.SnapshotSocketArgument] = _socket.Path,
            [Wire.WireSchema.SnapshotTimeoutArgument] = ((long)_options.SnapshotTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Wire.WireSchema.SnapshotNowArgument] = "1",
        };
        var provider = new EventPipeProvider(Decoding.AllocatorSchema.ProviderName, System.Diagnostics.Tracing.EventLevel.Informational, Wire.WireSchema.Keywords.Diagnostics, arguments);
        EventPipeSession session;
        try
        {
            session = await client.StartEventPipeSessionAsync(new EventPipeSessionConfiguration([provider], 16, requestRundown: false, requestStackwalk: false), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ServerNotAvailableException or ServerErrorException or UnsupportedCommandException or IOException or TimeoutException)
        {
            return; // the target went away: ApplyAsync reports that no snapshot came
        }

        using (session)
        {
            // Read (and drop) its events so the runtime never blocks on them.
            Task draining = Task.Run(() => session.EventStream.CopyTo(Stream.Null));
            try
            {
                await _capture.WaitAsync(_options.SnapshotTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Kept in _capture: ApplyAsync reports it.
            }

            try
            {
                await Task.Run(session.Stop).WaitAsync(_options.DrainTimeout).ConfigureAwait(false);
                await draining.WaitAsync(_options.DrainTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The snapshot is taken; a session that does not stop cleanly is disposed below.
            }
        }
    }

    /// <summary>
    /// After the stream: waits (bounded) for the capture, classifies the dump and applies the verdicts to the engine.
    /// Throws <see cref="ReachabilityException"/> when no snapshot could be taken.
    /// </summary>
    public async Task ApplyAsync(EventStreamReader reader)
    {
        if (_capture is null)
        {
            throw new ReachabilityException("no reachability snapshot was started");
        }

        SnapshotCapture capture;
        try
        {
            capture = await _capture.WaitAsync(_options.SnapshotTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new ReachabilityException($"the target did not hold for its heap snapshot within {_options.SnapshotTimeout.TotalSeconds:0} s (it exited some other way, or does not use a LeakScope.Allocator that knows snapshots)", e);
        }
        finally
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            var clock = Stopwatch.StartNew();
            var dump = new HeapDumpReader(capture.Blocks, reader.Engine.SiteText) { Mappings = capture.Mappings };
            IReadOnlyList<BlockVerdict> verdicts;
            try
            {
                verdicts = dump.Classify(capture.DumpPath);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or Microsoft.Diagnostics.Runtime.ClrDiagnosticsException)
            {
                throw new ReachabilityException($"cannot read the heap dump {capture.DumpPath}: {e.Message}", e);
            }

            reader.Engine.ApplyReachability(new ReachabilitySnapshot(verdicts)
            {
                Objects = dump.Objects,
                ManagedBytes = dump.ManagedBytes,
                DumpBytes = capture.DumpBytes,
                DumpTime = capture.DumpTime,
                AnalysisTime = clock.Elapsed,
                KeptDump = _options.KeepDumpPath,
            });
        }
        finally
        {
            if (_options.KeepDumpPath is null)
            {
                TryDelete(capture.DumpPath);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Litter in the temp directory; the report stands.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _socket.Dispose();
        if (_options.KeepDumpPath is null)
        {
            TryDelete(_dumpPath);
        }
    }
}
