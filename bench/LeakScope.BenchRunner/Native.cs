using System.Diagnostics;

namespace LeakScope.BenchRunner;

/// <summary>The C twin: compiled here with gcc, run natively, under heaptrack and under valgrind memcheck.</summary>
internal static class Native
{
    public static string Build(Paths paths)
    {
        string output = Path.Combine(Path.GetTempPath(), $"leakscope-bench-workloads-{Environment.ProcessId}");
        Run gcc = Run.Start("gcc", ["-O2", "-pthread", "-o", output, paths.NativeSource]);
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"gcc failed: {gcc.Errors}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(output);
        return output;
    }

    public static bool Available(string tool)
    {
        try
        {
            using Process? p = Process.Start(new ProcessStartInfo(tool, "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            p?.WaitForExit();
            return p is { ExitCode: 0 };
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Runs under heaptrack, its recording written to (and removed from) a temp directory.</summary>
    public static double Heaptrack(string binary, string workload, string scale)
    {
        string directory = Directory.CreateTempSubdirectory("leakscope-bench-heaptrack-").FullName;
        try
        {
            return Run.Start("heaptrack", ["-o", Path.Combine(directory, "trace"), binary, workload, scale], directory).WorkloadMs;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
