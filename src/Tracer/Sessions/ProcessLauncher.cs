using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace LeakScope.Tracer.Sessions;

/// <summary>
/// Starts a command suspended on a reverse diagnostic port: the tracer listens on a socket of its own
/// (<see cref="LaunchPort"/>), the first .NET runtime of the command (told by <c>DOTNET_DiagnosticPorts</c>) connects
/// and waits, the session starts, and only then does the runtime resume — so nothing is missed from the first line of
/// <c>Main</c>. That runtime may be the command itself or a descendant (<c>sh -c "dotnet app.dll"</c>): it is the
/// traced process (<see cref="TracedPid"/>). Every other runtime that inherits the variable is resumed untraced.
/// </summary>
internal sealed class ProcessLauncher : IAsyncDisposable
{
    private readonly LaunchSpec _spec;
    private readonly string _portPath;
    private LaunchPort? _port;

    public ProcessLauncher(LaunchSpec spec)
    {
        _spec = spec;
        _portPath = Path.Combine(Path.GetTempPath(), $"leakscope-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
    }

    public Process? Child { get; private set; }

    /// <summary>The process whose runtime connected first: the one traced (the command itself, or a descendant).</summary>
    public int TracedPid { get; private set; }

    /// <summary>Other .NET runtimes of the command's tree that connected and were resumed untraced.</summary>
    public int OthersResumed => _port?.OthersResumed ?? 0;

    /// <summary>Starts the child and waits for its runtime to connect. The child stays suspended until <c>ResumeRuntime</c>.</summary>
    public async Task<DiagnosticsClient> StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _port = new LaunchPort(_portPath);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new TargetUnavailableException($"cannot listen on {_portPath} for the launched runtime: {e.Message}", e);
        }

        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<int> connect = _port.FirstRuntimeAsync(connecting.Token);

        Child = StartChild();
        Task exited = Child.WaitForExitAsync(CancellationToken.None);
        Task timeout = Task.Delay(_spec.ConnectTimeout, cancellationToken);
        Task first = await Task.WhenAny(connect, exited, timeout).ConfigureAwait(false);
        if (first != connect)
        {
            connecting.Cancel();
            await ObserveAsync(connect).ConfigureAwait(false);
            if (first == exited)
            {
                throw new TargetUnavailableException($"'{_spec.CommandLine}' exited with code {Child.ExitCode} before a .NET runtime connected (is it a .NET 6+ program?)");
            }

            Kill();
            cancellationToken.ThrowIfCancellationRequested();
            throw new TargetUnavailableException($"'{_spec.CommandLine}' did not connect to the tracer within {_spec.ConnectTimeout.TotalSeconds:0} s (is it a .NET 6+ program?)");
        }

        TracedPid = await connect.ConfigureAwait(false);

        // The runtime also listens on its default diagnostic socket while it waits: the session starts there.
        return new DiagnosticsClient(TracedPid);
    }

    /// <summary>Lets the traced runtime run (call once its session started).</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(_spec.ConnectTimeout);
            await _port!.ResumeFirstAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or EndOfStreamException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new TargetUnavailableException($"cannot resume '{_spec.CommandLine}' after starting its session: {e.Message}", e);
        }
    }

    /// <summary>Waits (bounded) for the child to exit by itself and returns its exit code.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        if (Child is null)
        {
            return null;
        }

        try
        {
            await Child.WaitForExitAsync(CancellationToken.None).WaitAsync(timeout).ConfigureAwait(false);
            return Child.ExitCode;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Ends the child (and its descendants). Returns true when it was still running.</summary>
    public bool Kill()
    {
        if (Child is null || Child.HasExited)
        {
            return false;
        }

        try
        {
            Child.Kill(entireProcessTree: true);
            Child.WaitForExit(5000);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false; // It exited meanwhile.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The trace waited for the child's exit or stopped it; a child still running here means the trace failed
        // part-way (e.g. the recording could not be created). It must not outlive its tracer unwatched.
        Kill();
        if (_port is not null)
        {
            await _port.DisposeAsync().ConfigureAwait(false);
        }

        Child?.Dispose();
    }

    private Process StartChild()
    {
        var start = new ProcessStartInfo(_spec.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = _spec.StandardOutput is not null,
            RedirectStandardError = _spec.StandardError is not null,
            RedirectStandardInput = false,
        };
        foreach (string argument in _spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (_spec.WorkingDirectory is not null)
        {
            start.WorkingDirectory = _spec.WorkingDirectory;
        }

        foreach ((string name, string value) in _spec.Environment)
        {
            start.Environment[name] = value;
        }

        // Connect to our port and suspend until the session is up.
        start.Environment["DOTNET_DiagnosticPorts"] = _portPath;

        var process = new Process { StartInfo = start };
        if (_spec.StandardOutput is { } output)
        {
            TextWriter synchronized = TextWriter.Synchronized(output);
            process.OutputDataReceived += (_, e) => WriteLine(synchronized, e.Data);
        }

        if (_spec.StandardError is { } error)
        {
            TextWriter synchronized = TextWriter.Synchronized(error);
            process.ErrorDataReceived += (_, e) => WriteLine(synchronized, e.Data);
        }

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new TargetUnavailableException($"cannot start '{_spec.FileName}': {e.Message}", e);
        }

        if (_spec.StandardOutput is not null)
        {
            process.BeginOutputReadLine();
        }

        if (_spec.StandardError is not null)
        {
            process.BeginErrorReadLine();
        }

        return process;
    }

    private static void WriteLine(TextWriter writer, string? line)
    {
        if (line is not null)
        {
            writer.WriteLine(line);
        }
    }

    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The listener was abandoned on purpose; its failure is not the error being reported.
        }
    }
}
