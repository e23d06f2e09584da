using System.Diagnostics;
using System.Reflection;
using System.Text;
using LeakScope.Allocator.Tests.Support;

namespace LeakScope.Allocator.Tests;

/// <summary>
/// Runs a sample's built dll as a real child process (<c>dotnet samples/X/bin/&lt;config&gt;/net10.0/X.dll</c>), with
/// a bounded timeout after which the process tree is killed. The test project references the samples (without
/// their assemblies) so that building it builds them.
/// </summary>
internal sealed class SampleProcess : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Arrivals _lines = new();

    private SampleProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _firstLine.TrySetResult("");
                return;
            }

            lock (_output)
            {
                _output.AppendLine(e.Data);
            }

            _firstLine.TrySetResult(e.Data);
            _lines.Arrived();
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_error)
                {
                    _error.AppendLine(e.Data);
                }
            }
        };
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>The built dll of a sample, for the configuration this test assembly was built in.</summary>
    public static string DllPath(string sample)
    {
        string configuration = typeof(SampleProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        string path = Path.Combine(RepositoryRoot(), "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(path), $"The sample {sample} is not built at {path}; build the solution first.");
        return path;
    }

    public static string SourcePath(params string[] parts) => Path.Combine([RepositoryRoot(), .. parts]);

    public static SampleProcess Start(string sample, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath(sample));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The samples must not see a tracer or a policy from the test run's own environment.
        start.Environment.Remove("DOTNET_DiagnosticPorts");
        start.Environment["LEAKSCOPE_MISUSE"] = "report";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var sampleProcess = new SampleProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sampleProcess;
    }

    /// <summary>The first line written to standard output, or fails after <paramref name="timeout"/>.</summary>
    public string FirstLine(TimeSpan timeout)
    {
        Assert.True(_firstLine.Task.Wait(timeout), $"No output within {timeout}.");
        return _firstLine.Task.Result;
    }

    /// <summary>Waits until a line of standard output starts with <paramref name="prefix"/>, or fails after <paramref name="timeout"/>.</summary>
    public void WaitForLine(string prefix, TimeSpan timeout) =>
        Assert.True(
            _lines.WaitUntil(() => Output.Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal)), timeout),
            $"No line starting '{prefix}' within {timeout}. Output so far:\n{Output}\n{Error}");

    /// <summary>Waits for exit; on timeout kills the process tree and fails.</summary>
    public int WaitForExit(TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        if (!_process.WaitForExit(limit))
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            Assert.Fail($"The sample did not exit within {limit} and was killed. Output so far:\n{Output}\n{Error}");
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LeakScope.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No LeakScope.sln above {AppContext.BaseDirectory}.");
    }
}
