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
            var dump = new HeapDumpReader(capture.Blocks, reader.Engine.SiteText);
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
