using LeakScope.Tracer.Sessions;

namespace LeakScope.Tracer.Tests.Sessions;

public class ProcessCommandLineTests
{
    [Fact]
    public void This_process_is_running()
    {
        Assert.True(ProcessCommandLine.IsRunning(Environment.ProcessId));
    }

    [Fact]
    public void A_thread_id_is_not_a_running_process_even_though_proc_answers_for_it()
    {
        // Linux serves /proc/<tid> for every thread; a stale diagnostic socket whose pid was reused as a thread id
        // must not make that thread look like a second copy of its process (it once made 'trace -n' refuse a name).
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            started.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        });
        thread.Start();
        try
        {
            Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
            int[] threadIds = Directory.EnumerateDirectories($"/proc/{Environment.ProcessId}/task")
                .Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture))
                .Where(tid => tid != Environment.ProcessId)
                .ToArray();

            Assert.NotEmpty(threadIds);
            Assert.All(threadIds, tid =>
            {
                Assert.True(Directory.Exists($"/proc/{tid}"), $"/proc/{tid} should answer for a thread");
                Assert.False(ProcessCommandLine.IsRunning(tid), $"thread {tid} was taken for a process");
            });
        }
        finally
        {
            release.Set();
            thread.Join(TimeSpan.FromSeconds(10));
        }
    }
}
