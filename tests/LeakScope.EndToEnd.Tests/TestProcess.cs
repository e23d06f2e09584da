using System.Collections.Concurrent;
using System.Diagnostics;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// A process a test started: its output collected line by line, every wait bounded, and on dispose it is
/// killed if still running and the diagnostic sockets it left in the temp directory are removed.
/// </summary>
internal sealed class TestProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly LineArrivals _lineArrived = new();
    private readonly LineArrivals _errorArrived = new();

    private TestProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public IEnumerable<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    public string Errors => string.Join('\n', _errors);

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    public static TestProcess Start(string fileName, params string[] arguments) => Start(fileName, null, arguments);

    public static TestProcess Start(string fileName, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var result = new TestProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                result._lines.Enqueue(e.Data);
                result._lineArrived.Arrived();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                result._errors.Enqueue(e.Data);
                result._errorArrived.Arrived();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public Task<string> WaitForLineAsync(string prefix, TimeSpan timeout) => WaitForLineAsync(prefix, 0, timeout);

    /// <summary>Waits (bounded) for a line starting with <paramref name="prefix"/> written after the ones there are now.</summary>
    public Task<string> WaitForNextLineAsync(string prefix, TimeSpan timeout) => WaitForLineAsync(prefix, _lines.Count, timeout);

    private Task<string> WaitForLineAsync(string prefix, int skip, TimeSpan timeout) =>
        _lineArrived.WaitForAsync(
            () => _lines.Skip(skip).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)),
            timeout,
            () => $"no line starting '{prefix}' within {timeout}; output so far:\n{Output}\n{Errors}");

    /// <summary>Waits (bounded), line by line, until <paramref name="condition"/> holds for the standard output so far.</summary>
    public Task WaitUntilAsync(Func<IReadOnlyCollection<string>, bool> condition, string what, TimeSpan timeout) =>
        _lineArrived.WaitForAsync(
            () => condition(_lines) ? string.Empty : null,
            timeout,
            () => $"{what} did not happen within {timeout}; output so far:\n{Output}\n{Errors}");

    /// <summary>Waits (bounded) for a line of standard error that contains <paramref name="text"/>.</summary>
    public Task<string> WaitForErrorAsync(string text, TimeSpan timeout) =>
        WaitForErrorAsync(l => l.Contains(text, StringComparison.Ordinal), $"containing '{text}'", timeout);

    /// <summary>Waits (bounded) for a line of standard error that <paramref name="matches"/>; <paramref name="what"/> describes it in the failure.</summary>
    public Task<string> WaitForErrorAsync(Func<string, bool> matches, string what, TimeSpan timeout) =>
        _errorArrived.WaitForAsync(
            () => _errors.FirstOrDefault(matches),
            timeout,
            () => $"no error line {what} within {timeout}; output so far:\n{Output}\n{Errors}");

    /// <summary>Writes a line to the process's standard input (a launched target under the tracer inherits it).</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Sends SIGTERM, what a service manager or Ctrl+C's sibling sends to stop a process cleanly.</summary>
    public async Task TerminateAsync()
    {
        using Process kill = Process.Start("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {_process.Id} did not exit within {timeout}; output so far:\n{Output}\n{Errors}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        int pid = _process.Id;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        RemoveSockets(pid);
        _process.Dispose();
    }

    /// <summary>A killed .NET process leaves its diagnostic socket behind: remove the ones of this pid.</summary>
    public static void RemoveSockets(int pid)
    {
        foreach (string socket in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket"))
        {
            try
            {
                File.Delete(socket);
            }
            catch (IOException)
            {
            }
        }
    }
}
