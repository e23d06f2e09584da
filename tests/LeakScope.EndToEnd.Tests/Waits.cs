using System.Diagnostics;
using LeakScope.Tracer.Sessions;

namespace LeakScope.EndToEnd.Tests;

/// <summary>
/// The end-to-end tests' waits, each for an event and each bounded: a process's exit, a file's creation, a point the
/// trace has reached (read from the tracer's own <see cref="TraceMonitor"/>). None waits for an amount of time, so a
/// loaded machine makes the tests slower, never wrong. (Lines of a process's output: <see cref="TestProcess"/> and
/// <see cref="OutputLines"/>.)
/// </summary>
internal static class Waits
{
    /// <summary>
    /// Waits until process <paramref name="pid"/> has exited and been reaped. Every process the tests wait for is a
    /// child of the test process (started by a test or by the tracer's launcher): the runtime reaps it on SIGCHLD and
    /// completes the wait then.
    /// </summary>
    public static async Task ProcessExitAsync(int pid, TimeSpan bound)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return; // Already gone.
        }

        using (process)
        using (var timeout = new CancellationTokenSource(bound))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"process {pid} did not exit within {bound.TotalSeconds:0} s");
            }
            catch (InvalidOperationException)
            {
                // It exited between the lookup and the wait.
            }
        }
    }

    /// <summary>Waits until <paramref name="path"/> exists: told by the file system, not found by looking again and again.</summary>
    public static async Task FileAsync(string path, TimeSpan bound)
    {
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path));
        watcher.Created += (_, _) => created.TrySetResult();
        watcher.Renamed += (_, _) => created.TrySetResult();
        watcher.EnableRaisingEvents = true;
        if (File.Exists(path))
        {
            return; // Created before the watcher started.
        }

        try
        {
            await created.Task.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{path} was not created within {bound.TotalSeconds:0} s");
        }
    }

    /// <summary>Waits until the trace has read as far as <paramref name="condition"/> says; <paramref name="what"/> names it in the failure.</summary>
    public static async Task<LiveSnapshot> TraceAsync(TraceMonitor monitor, Func<LiveSnapshot, bool> condition, string what, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            return await monitor.WhenAsync(condition, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"the trace did not reach {what} within {bound.TotalSeconds:0} s; last snapshot: {monitor.Latest}");
        }
    }

    /// <summary>
    /// Waits until the tracer has read everything the target did before it printed <paramref name="truth"/>: its live
    /// account equals the target's own, and two more heartbeats followed, so a heartbeat written after the work (the
    /// allocator publishes every pending batch before each heartbeat) has been read.
    /// </summary>
    public static async Task AccountReadAsync(TraceMonitor monitor, HeapStatsLine truth, TimeSpan bound)
    {
        LiveSnapshot matched = await TraceAsync(
            monitor, s => truth.Raw.SameLive(s.Engine.Raw) && truth.Pool.SameLive(s.Engine.Pool), $"the target's account (raw {truth.Raw}, pool {truth.Pool})", bound);
        await TraceAsync(monitor, s => s.Engine.Heartbeats >= matched.Engine.Heartbeats + 2, "two heartbeats after the account matched", bound);
    }
}
