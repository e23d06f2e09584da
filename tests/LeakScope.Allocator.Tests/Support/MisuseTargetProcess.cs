using System.Diagnostics;

namespace LeakScope.Allocator.Tests.Support;

internal sealed record ChildOutcome(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>
/// Runs <c>LeakScope.Allocator.MisuseTarget</c> (copied next to this test assembly by its project
/// reference) as a child process, with a bounded wait: a child still running at the deadline is
/// killed and the test fails.
/// </summary>
internal static class MisuseTargetProcess
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly string TargetPath = Path.Combine(AppContext.BaseDirectory, "LeakScope.Allocator.MisuseTarget.dll");

    /// <summary>Runs one scenario with <c>LEAKSCOPE_MISUSE</c> set to <paramref name="misuseVariable"/> (unset when null).</summary>
    public static async Task<ChildOutcome> RunAsync(string scenario, string? misuseVariable)
    {
        Assert.True(File.Exists(TargetPath), $"The misuse target is missing at {TargetPath}; the test project's reference should copy it there.");

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(TargetPath);
        start.ArgumentList.Add(scenario);
        if (misuseVariable is null)
        {
            start.Environment.Remove(AllocatorSettings.MisusePolicyVariable);
        }
        else
        {
            start.Environment[AllocatorSettings.MisusePolicyVariable] = misuseVariable;
        }

        // A fail-fast child should neither write a dump nor wait for a diagnostics client.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment.Remove("DOTNET_DiagnosticPorts");

        using Process child = Process.Start(start) ?? throw new InvalidOperationException("The misuse target did not start.");
        Task<string> stdout = child.StandardOutput.ReadToEndAsync();
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(Timeout))
        {
            try
            {
                await child.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                child.Kill(entireProcessTree: true);
                Assert.Fail($"The misuse target ({scenario}) did not exit within {Timeout.TotalSeconds} s and was killed.");
            }
        }

        return new ChildOutcome(child.ExitCode, await stdout, await stderr);
    }

    /// <summary>The <c>dotnet</c> host running these tests, else the one on PATH.</summary>
    private static string DotnetHost()
    {
        string? fromCli = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromCli) && File.Exists(fromCli))
        {
            return fromCli;
        }

        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
