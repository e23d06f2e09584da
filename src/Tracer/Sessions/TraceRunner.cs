using System.Diagnostics;
using LeakScope.Tracer.Analysis;
using LeakScope.Tracer.Decoding;
using LeakScope.Tracer.Reachability;
using LeakScope.Tracer.Stacks;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// The tracer's entry points: attach to a running process, launch one under the tracer, or replay a
/// recorded <c>.nettrace</c> file. All three read the same kind of stream through the same
/// <see cref="EventStreamReader"/> into the same engine. A live session also hands the target an exit file
/// (docs/exit-file.md) and, when the target exits, reads it into that engine after the stream. Expected failures
/// throw <see cref="TargetUnavailableException"/> or <see cref="TraceUnreadableException"/>.
/// </summary>
public static class TraceRunner
{
    /// <summary>Traces a running process until it exits, the duration elapses or <paramref name="cancellationToken"/> fires; then judges.</summary>
    public static async Task<TraceOutcome> AttachAsync(int pid, TraceOptions options, CancellationToken cancellationToken = default)
    {
        if (pid <= 0 || !ProcessCommandLine.IsRunning(pid))
        {
            throw new TargetUnavailableException($"no running process with id {pid}");
        }

        string command = ProcessCommandLine.Read(pid) ?? $"pid {pid}";
        if (!ProcessDirectory.MayBeDotNet(pid))
        {
            throw new TargetUnavailableException($"process {pid} ({command}) is not a .NET process: only .NET programs that use LeakScope.Allocator can be traced (see 'leakscope ps')");
        }

        var client = new DiagnosticsClient(pid);
        using ExitFile exitFile = ExitFile.Create();
        using StackSession? stacks = await StartStackSessionAsync(client, options, $"process {pid}", cancellationToken).ConfigureAwait(false);
        stacks?.DescribeCompiledCode(client, RundownTimeout); // the live view's stacks name code compiled before the attach
        using ReachabilityRun? reachability = ReachabilityRun.For(options);
        EventPipeSession session = await StartSessionAsync(client, options, exitFile, $"process {pid}", cancellationToken, reachability).ConfigureAwait(false);
        reachability?.Start(client);
        using (session)
        {
            // With --reachability: at detach the running target is snapshot before the session stops; if it exits
            // first, it holds at its exit as a launched one does.
            var live = new LiveSession(client, session, options, exitFile) { BeforeStop = reachability is null ? null : () => reachability.SnapshotNowAsync(client) };
            (EventStreamReader reader, StreamEnd end, TimeSpan? stopToEnd) = await live.RunAsync(cancellationToken).ConfigureAwait(false);
            await FinishStacksAsync(reader, stacks, options).ConfigureAwait(false);
            if (end == StreamEnd.TargetExited)
            {
                await ReadExitFileAsync(reader, exitFile, () => !ProcessCommandLine.IsRunning(pid), options).ConfigureAwait(false);
            }

            if (reachability is not null)
            {
                await reachability.ApplyAsync(reader).ConfigureAwait(false);
            }

            return Judge(reader, end, stopToEnd, new TargetInfo(pid, command), live, options);
        }
    }

    /// <summary>The longest wait for a running allocator's rundown (it answers a new session within 100 ms).</summary>
    private static readonly TimeSpan RundownTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// <c>leakscope snapshot</c>: classifies the blocks a running process holds now, without tracing it over time
    /// (docs/reachability.md). Attaches, reads the allocator's rundown (every live block with its site), asks the
    /// allocator for its snapshot at once, dumps the heap while it holds, detaches and judges: every block gets its
    /// verdict, <c>retained</c> with its holder path or a <c>leak</c> with its reachability. The target keeps running.
    /// <see cref="TraceOptions.Reachability"/> is implied; <see cref="TraceOptions.Duration"/> is ignored. A process
    /// whose allocator sends no rundown (it does not use LeakScope.Allocator) is judged without a snapshot:
    /// <see cref="TraceOutcome.AllocatorSeen"/> is then false.
    /// </summary>
    public static async Task<TraceOutcome> SnapshotAsync(int pid, TraceOptions options, CancellationToken cancellationToken = default)
    {
        if (pid <= 0 || !ProcessCommandLine.IsRunning(pid))
        {
            throw new TargetUnavailableException($"no running process with id {pid}");
        }

        string command = ProcessCommandLine.Read(pid) ?? $"pid {pid}";
        if (!ProcessDirectory.MayBeDotNet(pid))
        {
            throw new TargetUnavailableException($"process {pid} ({command}) is not a .NET process: only .NET programs that use LeakScope.Allocator can be snapshot (see 'leakscope ps')");
        }

        options = options with { Reachability = true, Duration = null, Stacks = StackCollection.None };
        var client = new DiagnosticsClient(pid);
        using ExitFile exitFile = ExitFile.Create();
        using ReachabilityRun reachability = ReachabilityRun.For(options)!;
        EventPipeSession session = await StartSessionAsync(client, options, exitFile, $"process {pid}", cancellationToken, reachability).ConfigureAwait(false);
        reachability.Start(client);
        using (session)
        {
            EventStreamReader? reading = null;
            var live = new LiveSession(client, session, options, exitFile)
            {
                // Stop once the rundown is read (or it did not come in time: no allocator); snapshot only after a rundown.
                StopWhen = reader =>
                {
                    reading = reader;
                    return Task.WhenAny(reader.RundownComplete, Task.Delay(RundownTimeout, cancellationToken));
                },
                BeforeStop = () => reading is { RundownComplete.IsCompleted: true } ? reachability.SnapshotNowAsync(client) : Task.CompletedTask,
            };
            (EventStreamReader reader, StreamEnd end, TimeSpan? stopToEnd) = await live.RunAsync(cancellationToken).ConfigureAwait(false);
            if (end == StreamEnd.TargetExited)
            {
                await ReadExitFileAsync(reader, exitFile, () => !ProcessCommandLine.IsRunning(pid), options).ConfigureAwait(false);
            }

            if (!reader.RundownComplete.IsCompleted)
            {
                TraceOutcome outcome = Judge(reader, end, stopToEnd, new TargetInfo(pid, command), live, options);
                return outcome.AllocatorSeen && end != StreamEnd.Cancelled
                    ? throw new ReachabilityException($"process {pid} sent no complete rundown of its blocks within {RundownTimeout.TotalSeconds:0} s")
                    : outcome;
            }

            if (end == StreamEnd.Cancelled)
            {
                throw new ReachabilityException("cancelled before the snapshot was taken");
            }

            await reachability.ApplyAsync(reader).ConfigureAwait(false);
            return Judge(reader, end, stopToEnd, new TargetInfo(pid, command), live, options);
        }
    }

    /// <summary>
    /// Traces the process on a diagnostic port (<c>path[,listen|connect]</c>, listen by default, as dotnet-trace):
    /// in listen mode the tracer waits for a runtime started with <c>DOTNET_DiagnosticPorts=path</c> to connect, then
    /// starts the session and resumes it; in connect mode it connects to a runtime listening on <c>path</c>. The target
    /// is never stopped by the tracer.
    /// </summary>
    public static async Task<TraceOutcome> AttachToPortAsync(string port, TraceOptions options, CancellationToken cancellationToken = default)
    {
        string[] parts = port.Split(',');
        string path = parts[0];
        string mode = parts.Length > 1 ? parts[1].Trim().ToLowerInvariant() : "listen";
        if (path.Length == 0 || parts.Length > 2 || mode is not ("listen" or "connect"))
        {
            throw new TargetUnavailableException($"'{port}' is not a diagnostic port: expected <path>[,listen|,connect]");
        }

        DiagnosticsClientConnector connector;
        try
        {
            connector = await DiagnosticsClientConnector.FromDiagnosticPort($"{path},{mode}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ServerNotAvailableException or TimeoutException or ArgumentException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            throw new TargetUnavailableException($"cannot use diagnostic port {port}: {e.Message}", e);
        }

        try
        {
            await using (connector.ConfigureAwait(false))
            {
                DiagnosticsClient client = connector.Instance;
                using ExitFile exitFile = ExitFile.Create();
                using StackSession? stacks = await StartStackSessionAsync(client, options, $"the process on {path}", cancellationToken).ConfigureAwait(false);
                EventPipeSession session = await StartSessionAsync(client, options, exitFile, $"the process on {path}", cancellationToken).ConfigureAwait(false);
                try
                {
                    client.ResumeRuntime();
                }
                catch (Exception e) when (e is ServerErrorException or UnsupportedCommandException)
                {
                    // The runtime was not suspended (nosuspend, or connect mode): nothing to resume.
                }

                // Connected to a runtime that was already running (connect mode, nosuspend): describe its code now, for the live view.
                stacks?.DescribeCompiledCode(client, RundownTimeout);

                using (session)
                {
                    var live = new LiveSession(client, session, options, exitFile);
                    (EventStreamReader reader, StreamEnd end, TimeSpan? stopToEnd) = await live.RunAsync(cancellationToken).ConfigureAwait(false);
                    await FinishStacksAsync(reader, stacks, options).ConfigureAwait(false);
                    if (end == StreamEnd.TargetExited)
                    {
                        int pid = reader.ProcessId;
                        await ReadExitFileAsync(reader, exitFile, () => pid <= 0 || !ProcessCommandLine.IsRunning(pid), options).ConfigureAwait(false);
                    }

                    return Judge(reader, end, stopToEnd, new TargetInfo(reader.ProcessId, reader.CommandLine ?? $"the process on {path}"), live, options);
                }
            }
        }
        finally
        {
            if (mode == "listen")
            {
                TryDelete(path);
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
            // Litter in a directory the user chose; not worth failing a report over.
        }
    }

    /// <summary>
    /// Starts <paramref name="spec"/> suspended, starts the session, resumes it, and traces it to its exit (or the
    /// duration, or cancellation — then the child is stopped). The child's exit code is kept.
    /// </summary>
    public static async Task<TraceOutcome> LaunchAsync(LaunchSpec spec, TraceOptions options, CancellationToken cancellationToken = default)
    {
        await using var launcher = new ProcessLauncher(spec);
        using ExitFile exitFile = ExitFile.Create();
        using ReachabilityRun? reachability = ReachabilityRun.For(options);
        DiagnosticsClient client;
        try
        {
            client = await launcher.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            launcher.Kill();
            throw;
        }

        // The report names the process whose events it holds: the runtime that connected (sh -c "dotnet app.dll" traces dotnet).
        int tracedPid = launcher.TracedPid;
        string tracedCommand = ProcessCommandLine.Read(tracedPid) ?? spec.CommandLine;
        EventPipeSession session;
        StackSession? stacks;
        try
        {
            stacks = await StartStackSessionAsync(client, options, $"'{spec.CommandLine}'", cancellationToken).ConfigureAwait(false);
            session = await StartSessionAsync(client, options, exitFile, $"'{spec.CommandLine}'", cancellationToken, reachability).ConfigureAwait(false);
            reachability?.Start(client);
            await launcher.ResumeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            launcher.Kill();
            throw;
        }

        using (session)
        using (stacks)
        {
            var live = new LiveSession(client, session, options, exitFile) { FromProcessStart = true };
            (EventStreamReader reader, StreamEnd end, TimeSpan? stopToEnd) = await live.RunAsync(cancellationToken).ConfigureAwait(false);
            await FinishStacksAsync(reader, stacks, options).ConfigureAwait(false);
            var target = new TargetInfo(tracedPid, tracedCommand);
            if (end == StreamEnd.TargetExited)
            {
                // The stream ends when the runtime shuts the session down; the exit file is written after that.
                await ReadExitFileAsync(reader, exitFile, () => !ProcessCommandLine.IsRunning(tracedPid), options).ConfigureAwait(false);
                target = target with { ExitCode = await launcher.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false) };
                if (reachability is not null)
                {
                    await reachability.ApplyAsync(reader).ConfigureAwait(false);
                }
            }
            else
            {
                target = target with { KilledByTracer = launcher.Kill() };
            }

            return Judge(reader, end, stopToEnd, target, live, options);
        }
    }

    /// <summary>Reads a recorded trace — one written by <c>--nettrace</c>, or by <c>dotnet-trace collect --providers LeakScope-Allocator</c> — with the stacks it holds.</summary>
    // The shipped three-parameter overload stays as it was (callers compiled against it keep working); RS0027 would have
    // the optional parameters move to the longest overload, which would change its shipped signature.
#pragma warning disable RS0027
    public static TraceOutcome AnalyzeFile(string path, AnalysisOptions? options = null, TraceMonitor? monitor = null) =>
        AnalyzeFile(path, options, monitor, stacks: true);
#pragma warning restore RS0027

    /// <summary>Reads a recorded trace; <paramref name="stacks"/> false drops the call stacks it holds (<c>analyze --stacks none</c>).</summary>
    public static TraceOutcome AnalyzeFile(string path, AnalysisOptions? options, TraceMonitor? monitor, bool stacks)
    {
        if (!File.Exists(path))
        {
            throw new TraceUnreadableException($"no such trace file: {path}");
        }

        var reader = new EventStreamReader(options ?? AnalysisOptions.Default, monitor) { CollectStacks = stacks };

        // A recording made with 'leakscope trace --stacks ... --nettrace' keeps its stack session beside it.
        string stackFile = StackSession.StacksBeside(path);
        if (stacks && File.Exists(stackFile))
        {
            reader.AddStacks(ReadStacks(stackFile));
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            monitor?.SetTotalBytes(file.Length);
            using Stream stream = monitor is null ? file : new ProgressStream(file, monitor);
            reader.Read(stream, live: false);

            // A trace recorded by 'leakscope trace --nettrace' keeps the target's exit file beside it.
            string exitFile = ExitFileBeside(path);
            if (File.Exists(exitFile))
            {
                reader.ReadExitFile(File.ReadAllBytes(exitFile));
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TraceUnreadableException($"cannot read {path}: {e.Message}", e);
        }

        int pid = reader.ProcessId;
        return Judge(reader, StreamEnd.EndOfFile, null, new TargetInfo(pid, reader.CommandLine ?? Path.GetFileName(path)));
    }

    /// <summary>Reads any EventPipe stream to its end and judges it (for callers that bring their own stream).</summary>
    public static TraceOutcome AnalyzeStream(Stream stream, StreamEnd end, TargetInfo target, AnalysisOptions? options = null)
    {
        var reader = new EventStreamReader(options ?? AnalysisOptions.Default);
        reader.Read(stream, live: end != StreamEnd.EndOfFile);
        return Judge(reader, end, null, target);
    }

    private static StackCollector ReadStacks(string path)
    {
        var collector = new StackCollector();
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            using var source = new Microsoft.Diagnostics.Tracing.EventPipeEventSource(file);
            _ = new StackEventAdapter(source, collector);
            source.Process();
        }
        catch (Exception e) when (EventStreamReader.IsStreamFailure(e) || e is UnauthorizedAccessException)
        {
            // A stack recording cut short still gives the stacks it holds.
        }

        return collector;
    }

    private static async Task<StackSession?> StartStackSessionAsync(DiagnosticsClient client, TraceOptions options, string what, CancellationToken cancellationToken)
    {
        try
        {
            StackSession? session = await StackSession.StartAsync(client, options, cancellationToken).ConfigureAwait(false);
            if (session is not null)
            {
                options.Monitor?.AttachStacks(session.Collector);
            }

            return session;
        }
        catch (ServerNotAvailableException e)
        {
            throw new TargetUnavailableException($"cannot connect to {what}: no diagnostic socket answered (a .NET 6+ process run by this user, with diagnostics enabled?)", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TargetUnavailableException($"no permission to trace {what}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or ServerErrorException or UnsupportedCommandException or TimeoutException)
        {
            throw new TargetUnavailableException($"cannot start an EventPipe session in {what}: {e.Message}", e);
        }
    }

    /// <summary>After the main stream ended: stops and drains the stack session (bounded) and hands its stacks to the reader.</summary>
    private static async Task FinishStacksAsync(EventStreamReader reader, StackSession? stacks, TraceOptions options)
    {
        if (stacks is null)
        {
            return;
        }

        await stacks.FinishAsync(options.DrainTimeout).ConfigureAwait(false);
        reader.AddStacks(stacks.Collector);
    }

    /// <summary>Where a recording made with <c>--nettrace</c> keeps the target's exit file: <c>&lt;file&gt;.exit</c>.</summary>
    public static string ExitFileBeside(string netTracePath) => netTracePath + ".exit";

    /// <summary>After the target's stream ended: waits (bounded) for its exit file, feeds it to the engine, and keeps a copy beside a recording.</summary>
    private static async Task ReadExitFileAsync(EventStreamReader reader, ExitFile exitFile, Func<bool> targetGone, TraceOptions options)
    {
        byte[] content = await exitFile.CollectAsync(targetGone, options.ExitFileTimeout).ConfigureAwait(false);
        reader.ReadExitFile(content);
        if (options.NetTracePath is { } recording && content.Length > 0)
        {
            try
            {
                await File.WriteAllBytesAsync(ExitFileBeside(recording), content).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The live account already has the exit file; only a later 'analyze' of the recording lacks it.
            }
        }
    }

    private static async Task<EventPipeSession> StartSessionAsync(DiagnosticsClient client, TraceOptions options, ExitFile exitFile, string what, CancellationToken cancellationToken, ReachabilityRun? reachability = null)
    {
        try
        {
            return await client.StartEventPipeSessionAsync(SessionConfiguration.Create(options, exitFile.Path, reachability?.SocketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (ServerNotAvailableException e)
        {
            throw new TargetUnavailableException($"cannot connect to {what}: no diagnostic socket answered (a .NET 6+ process run by this user, with diagnostics enabled?)", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TargetUnavailableException($"no permission to trace {what}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or ServerErrorException or UnsupportedCommandException or TimeoutException)
        {
            throw new TargetUnavailableException($"cannot start an EventPipe session in {what}: {e.Message}", e);
        }
    }

    private static TraceOutcome Judge(EventStreamReader reader, StreamEnd end, TimeSpan? stopToEnd, TargetInfo target, LiveSession? live = null, TraceOptions? options = null)
    {
        var clock = Stopwatch.StartNew();
        AnalysisResult result = reader.Judge(end);
        var statistics = new SessionStatistics(reader.EventsRead, reader.EventsLost, reader.Decoder, reader.ReadTime, stopToEnd, clock.Elapsed, reader.StreamBroken)
        {
            HeartbeatSeconds = reader.HeartbeatSeconds.ToArray(),
            // A recording says which mode it was made in by carrying batches or not.
            PerOperation = options?.PerOperation ?? !(reader.Engine.TargetBatches || reader.Decoder.Batches > 0 || reader.Decoder.MalformedBatches > 0),
            ExitFile = reader.ExitFile,
            EndToJudged = live?.SinceEnd.Elapsed,
            BufferSizeMB = options?.BufferSizeMB ?? 0,
            RecordingError = live?.RecordingError,
            Stacks = reader.StackStatistics,
        };
        return new TraceOutcome(result, target, statistics);
    }
}
