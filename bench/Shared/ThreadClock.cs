using System.Runtime.InteropServices;

namespace LeakScope.Bench.Shared;

/// <summary>
/// The calling thread's own CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c>): time the thread spent running, not waiting for a
/// core. On a machine shared with other builds a wall clock mostly measures the scheduler; this measures the code.
/// Linked into the benchmark projects that time with it (bench/Shared).
/// </summary>
internal static partial class ThreadClock
{
    private const int ClockThreadCpuTime = 3;

    public static double NowNanoseconds()
    {
        if (clock_gettime(ClockThreadCpuTime, out TimeSpec now) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return (now.Seconds * 1e9) + now.Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
