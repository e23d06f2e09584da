using Microsoft.Extensions.Logging;

namespace LeakScope.Hosting.Tests.Support;

/// <summary>
/// The tests that sample this process's own heap run one at a time: the allocator and the per-site gauges are
/// process-wide, so one test's sites would show in another's samples.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapCollection
{
    public const string Name = "in-process heap";
}

/// <summary>Blocks a test allocated at a site it names, freed when the test ends.</summary>
internal sealed unsafe class SiteBlocks : IDisposable
{
    private readonly List<nint> _blocks = new();

    public SiteBlocks(string file, int line, string member)
    {
        File = file;
        Line = line;
        Member = member;
    }

    public string File { get; }

    public int Line { get; }

    public string Member { get; }

    public int Count => _blocks.Count;

    public void Allocate(int count, nuint size)
    {
        for (int i = 0; i < count; i++)
        {
            _blocks.Add((nint)LeakScope.Allocator.PoolHeap.Malloc(size, File, Line, Member));
        }
    }

    public void Free(int count)
    {
        for (int i = 0; i < count && _blocks.Count > 0; i++)
        {
            LeakScope.Allocator.PoolHeap.Free((void*)_blocks[^1]);
            _blocks.RemoveAt(_blocks.Count - 1);
        }
    }

    public void Dispose() => Free(_blocks.Count);
}

/// <summary>An ILogger that keeps what it is given.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, EventId Id, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Entries
    {
        get
        {
            lock (_lock)
            {
                return _entries.ToArray();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            _entries.Add((logLevel, eventId, formatter(state, exception)));
        }
    }
}
