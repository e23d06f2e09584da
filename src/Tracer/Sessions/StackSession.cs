using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Stacks;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The stack-walking session beside the main one (<see cref="SessionConfiguration.CreateStacks"/>): read on its own thread
/// into a <see cref="StackCollector"/> while the main session runs; stopped and drained after it.
/// </summary>
internal sealed class StackSession : IDisposable
{
    private readonly EventPipeSession _session;
    private readonly Task _reading;

    private StackSession(EventPipeSession session, string? recordingPath)
    {
        _session = session;
        Stream stream = session.EventStream;
        if (recordingPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(recordingPath))!);
            stream = new RecordingStream(stream, new FileStream(recordingPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16));
        }

        _reading = Task.Factory.StartNew(() => Read(stream), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public StackCollector Collector { get; } = new();

    /// <summary>True when the stack stream ended in the middle (the target died) or could not be read.</summary>
    public bool Broken { get; private set; }

    public static async Task<StackSession?> StartAsync(DiagnosticsClient client, TraceOptions options, CancellationToken cancellationToken)
    {
        if (options.Stacks == StackCollection.None)
        {
            return null;
        }

        EventPipeSession session = await client.StartEventPipeSessionAsync(SessionConfiguration.CreateStacks(options), cancellationToken).ConfigureAwait(false);
        string? recording = options.NetTracePath is { } path ? StacksBeside(path) : null;
        return new StackSession(session, recording);
    }

    /// <summary>Where a <c>--nettrace</c> recording keeps its stack session: <c>&lt;file&gt;.stacks.nettrace</c>.</summary>
    public static string StacksBeside(string netTracePath) => netTracePath + ".stacks.nettrace";

    /// <summary>
    /// Attached to a running process: code compiled before the session is described only by the runtime's rundown, which
    /// comes when the stack session stops — so until the report, the live view's top stacks could name neither the
    /// caller's methods nor which frames are the allocator's own. A short second session, stopped at once, brings that
    /// rundown now, into the same code map (<see cref="SessionConfiguration.CompiledCode"/>); code compiled later arrives
    /// with the stack session's method loads. Runs in the background, within <paramref name="timeout"/>; best effort: the
    /// report's stacks come from the final rundown either way. Not needed for a launched target, whose code is all
    /// compiled during the session.
    /// </summary>
    public void DescribeCompiledCode(DiagnosticsClient client, TimeSpan timeout) =>
        _describing = Task.Run(() => DescribeCompiledCodeAsync(client, timeout));

    private Task _describing = Task.CompletedTask;

    private async Task DescribeCompiledCodeAsync(DiagnosticsClient client, TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        EventPipeSession rundown;
        try
        {
            rundown = await client.StartEventPipeSessionAsync(SessionConfiguration.CompiledCode(), bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return; // the target went away or refused a second session: the final rundown still describes the code
        }

        Task reading;
        using (rundown)
        {
            reading = Task.Factory.StartNew(
                () =>
                {
                    try
                    {
                        using var source = new EventPipeEventSource(rundown.EventStream);
                        _ = new StackEventAdapter(source, Collector);
                        source.Process();
                    }
                    catch (Exception e) when (EventStreamReader.IsStreamFailure(e))
                    {
                        // Cut short: the methods it described so far are kept.
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            try
            {
                await Task.Run(rundown.Stop).WaitAsync(bound.Token).ConfigureAwait(false);
                await reading.WaitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Stopped answering or too slow: disposing the session ends the stream, and the reader with it.
            }
        }

        // Disposed: its stream is closed, so the reader ends; wait for it (bounded) so nothing writes the code map after this.
        await Task.WhenAny(reading, Task.Delay(timeout)).ConfigureAwait(false);
    }

    /// <summary>Stops the session (the runtime then runs down its methods) and drains its stream, within <paramref name="timeout"/>.</summary>
    public async Task FinishAsync(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // The early rundown writes into the same code map: it must be done before the final one is read.
            await _describing.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        try
        {
            await Task.Run(_session.Stop).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The target exited (its stream ended by itself) or stopped answering: the stream's end decides.
        }

        try
        {
            TimeSpan left = timeout - clock.Elapsed;
            await _reading.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Broken = true;
            _session.Dispose();
        }
    }

    private void Read(Stream stream)
    {
        try
        {
            using var source = new EventPipeEventSource(stream);
            _ = new StackEventAdapter(source, Collector);
            try
            {
                source.Process();
            }
            finally
            {
                Collector.EventsLost = source.EventsLost;
            }
        }
        catch (Exception e) when (EventStreamReader.IsStreamFailure(e))
        {
            Broken = true;
            Collector.Broken = true;
        }
        finally
        {
            stream.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
