using System.Diagnostics;

namespace LeakScope.Hosting.Tests.Support;

/// <summary>
/// Lines another thread adds (a child process's output) and the one bounded wait for a line: the waiter is woken by
/// each arrival, never by a clock, so a loaded machine makes a wait longer, not wrong.
/// </summary>
internal sealed class Lines
{
    private readonly object _gate = new();
    private readonly List<string> _lines = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Add(line);
            Monitor.PulseAll(_gate);
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count;
            }
        }
    }

    public int CountWhere(Func<string, bool> match)
    {
        lock (_gate)
        {
            return _lines.Count(match);
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>The first line at or after index <paramref name="from"/> that matches, waiting for it at most <paramref name="bound"/>.</summary>
    public (string Line, int Index) WaitFor(Func<string, bool> match, TimeSpan bound, string what, int from = 0)
    {
        var clock = Stopwatch.StartNew();
        lock (_gate)
        {
            int next = from;
            while (true)
            {
                for (; next < _lines.Count; next++)
                {
                    if (match(_lines[next]))
                    {
                        return (_lines[next], next);
                    }
                }

                TimeSpan left = bound - clock.Elapsed;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                {
                    throw new TimeoutException($"{what}: not within {bound.TotalSeconds:0} s. Output so far:\n{string.Join('\n', _lines)}");
                }
            }
        }
    }

    public Task<(string Line, int Index)> WaitForAsync(Func<string, bool> match, TimeSpan bound, string what, int from = 0) =>
        Task.Run(() => WaitFor(match, bound, what, from));
}
