using System.Diagnostics;

namespace LeakScope.Allocator.Tests.Support;

/// <summary>
/// Something other threads add to (the events a listener receives, the lines a process writes), and the one bounded wait
/// for a condition over it: the condition is looked at again each time something arrives, never after a sleep, so a
/// loaded machine makes a wait longer, not wrong.
/// </summary>
internal sealed class Arrivals
{
    // Monitor.Wait / PulseAll need a plain object (System.Threading.Lock has no condition variable).
    private readonly object _gate = new();
    private long _count;

    /// <summary>Called by the adding thread after each addition.</summary>
    public void Arrived()
    {
        lock (_gate)
        {
            _count++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>True as soon as <paramref name="condition"/> holds; false if it still does not after <paramref name="timeout"/>.</summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            long seen;
            lock (_gate)
            {
                seen = _count;
            }

            // Looked at outside the lock (it may be slow); an arrival meanwhile changes the count, so none is missed.
            if (condition())
            {
                return true;
            }

            lock (_gate)
            {
                while (_count == seen)
                {
                    TimeSpan left = timeout - clock.Elapsed;
                    if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                    {
                        return condition();
                    }
                }
            }
        }
    }
}
